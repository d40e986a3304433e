namespace Orleans.Embeddings.Clarifai.Tests.Fake;

/// <summary>How the fake answered one request.</summary>
public enum FakeOutcome
{
    /// <summary>Outputs for every input (each a vector or a per-input failure).</summary>
    Answered,
    Unauthorized,
    /// <summary>More than 128 inputs.</summary>
    Oversized,
    /// <summary>Down: HTTP 503, or the connection dropped.</summary>
    Down,
    /// <summary>HTTP 429 with CONN_THROTTLED.</summary>
    Throttled,
    /// <summary>HTTP 200 whose status says the model is loading (21355).</summary>
    Busy,
    /// <summary>HTTP 400, invalid request, no outputs.</summary>
    Rejected,
}

/// <summary>One request the fake received: when (since it started), the input keys in order, and its answer.</summary>
public sealed record FakeRequest(TimeSpan At, string[] Keys, FakeOutcome Outcome);
