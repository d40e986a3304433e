namespace Orleans.Embeddings.Grains.Providers.Clarifai;

/// <summary>The status codes of Clarifai's API v2 that the provider acts on, and what each calls for.</summary>
public static class ClarifaiStatusCodes
{
    public const int Success = 10000;
    public const int MixedStatus = 10010;
    public const int Failure = 10020;
    public const int TryAgain = 10030;
    public const int TokenInvalid = 11001;
    public const int CredentialsInvalid = 11002;
    public const int Throttled = 11005;
    public const int KeyInvalid = 11008;
    public const int KeyNotFound = 11009;
    public const int ModelBusy = 21354;
    public const int ModelLoading = 21355;
    public const int InputDownloadFailed = 30002;

    /// <summary>The codes Clarifai may write by name instead of by number ("CONN_THROTTLED").</summary>
    public static readonly IReadOnlyDictionary<string, int> Names = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["SUCCESS"] = Success,
        ["MIXED_STATUS"] = MixedStatus,
        ["FAILURE"] = Failure,
        ["TRY_AGAIN"] = TryAgain,
        ["CONN_TOKEN_INVALID"] = TokenInvalid,
        ["CONN_CREDENTIALS_INVALID"] = CredentialsInvalid,
        ["CONN_THROTTLED"] = Throttled,
        ["CONN_KEY_INVALID"] = KeyInvalid,
        ["CONN_KEY_NOT_FOUND"] = KeyNotFound,
        ["INPUT_DOWNLOAD_FAILED"] = InputDownloadFailed,
    };

    /// <summary>The token is wrong: no retry helps, and no image is to blame.</summary>
    public static bool IsBadCredentials(int code) => code is TokenInvalid or CredentialsInvalid or KeyInvalid or KeyNotFound;

    /// <summary>Clarifai asks to come back later: throttled, busy, loading, or a plain "try again".</summary>
    public static bool IsRetryable(int code) => code is Throttled or TryAgain or ModelBusy or ModelLoading;
}
