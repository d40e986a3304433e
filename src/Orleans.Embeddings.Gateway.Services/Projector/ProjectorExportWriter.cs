namespace Orleans.Embeddings.Gateway.Projector;

/// <summary>
/// Writes a job's Projector export into a folder as its parts arrive in point order: the vectors by rows, the
/// images one by one (their thumbnails go straight into the sprite), then the map, which completes the folder
/// with the map's tensors, metadata.tsv, sprite.png, the bookmarks and both configs.
/// </summary>
public sealed class ProjectorExportWriter : IDisposable
{
    private readonly string folder;
    private readonly ProjectorJob job;
    private readonly TensorWriter vectors;
    private readonly SpriteSheet sprite;
    private readonly List<ProjectorImage> images;
    private bool completed;

    public ProjectorExportWriter(string folder, ProjectorJob job)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(job.Points, 1);
        if (job.MapDimensions is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(job), job.MapDimensions, "A map has 1 to 3 dimensions.");
        this.folder = Directory.CreateDirectory(folder).FullName;
        this.job = job;
        vectors = new TensorWriter(Resolve(ProjectorFiles.VectorsTsv), Resolve(ProjectorFiles.VectorsBytes), job.Dimensions);
        sprite = new SpriteSheet(job.Points);
        images = new List<ProjectorImage>(job.Points);
    }

    /// <summary>The next rows of the collection's vectors (whole rows of <see cref="ProjectorJob.Dimensions"/>).</summary>
    public void AppendVectors(ReadOnlySpan<float> rows)
    {
        if (vectors.Rows + rows.Length / job.Dimensions > job.Points)
            throw new InvalidOperationException($"More than the job's {job.Points} rows of vectors.");
        vectors.Append(rows);
    }

    /// <summary>The next image; its thumbnail, if it has one, is drawn into the sprite now and not kept.</summary>
    public void AppendImage(ProjectorImage image)
    {
        if (images.Count == job.Points) throw new InvalidOperationException($"More than the job's {job.Points} images.");
        if (image.Thumbnail is { } thumbnail) sprite.Draw(images.Count, thumbnail);
        images.Add(image with { Thumbnail = null });
    }

    /// <summary>Writes the rest from the map (row-major, points x map dimensions) and returns the configs' embeddings.</summary>
    public IReadOnlyList<ProjectorEmbedding> Complete(ReadOnlySpan<float> map)
    {
        if (completed) throw new InvalidOperationException("The export is already complete.");
        if (vectors.Rows != job.Points) throw new InvalidOperationException($"{vectors.Rows} rows of vectors where the job has {job.Points} points.");
        if (images.Count != job.Points) throw new InvalidOperationException($"{images.Count} images where the job has {job.Points} points.");
        if (map.Length != job.Points * job.MapDimensions)
            throw new ArgumentException($"{map.Length} map values where {job.Points} points of {job.MapDimensions} are expected.", nameof(map));
        completed = true;
        vectors.Dispose();

        using (var mapTensor = new TensorWriter(Resolve(ProjectorFiles.MapTsv), Resolve(ProjectorFiles.MapBytes), job.MapDimensions))
            mapTensor.Append(map);
        MetadataWriter.Write(Resolve(ProjectorFiles.Metadata), images);
        ProjectorSprite? spriteInfo = null;
        if (sprite.Save(Resolve(ProjectorFiles.Sprite)))
            spriteInfo = new ProjectorSprite(ProjectorFiles.Sprite, sprite.Layout!.Cell, sprite.Layout.Cell);

        var label = $"t-SNE of {job.Collection} (job {job.JobId})";
        using (var file = File.Create(Resolve(ProjectorFiles.VectorsBookmarks)))
            BookmarkState.Write(file, label, job.Dimensions, map, job.MapDimensions, job.Iterations, job.Perplexity, job.LearningRate);
        using (var file = File.Create(Resolve(ProjectorFiles.MapBookmarks)))
            BookmarkState.Write(file, label, job.MapDimensions, map, job.MapDimensions, job.Iterations, job.Perplexity, job.LearningRate);

        // TensorBoard's plugin is pointed at the TSVs, the form every version of it reads; the standalone projector
        // fetches the .bytes, which are smaller and need no parsing in the browser.
        ProjectorEmbedding[] embeddings =
        [
            new(job.Collection, ProjectorFiles.VectorsTsv, job.Points, job.Dimensions, ProjectorFiles.Metadata, spriteInfo, ProjectorFiles.VectorsBookmarks),
            new($"{job.Collection} t-SNE ({job.JobId})", ProjectorFiles.MapTsv, job.Points, job.MapDimensions, ProjectorFiles.Metadata, spriteInfo, ProjectorFiles.MapBookmarks),
        ];
        ProjectorConfigText.Write(Resolve(ProjectorFiles.ConfigText), embeddings);
        ProjectorConfigJson.Write(Resolve(ProjectorFiles.ConfigJson),
            [embeddings[0].WithTensor(ProjectorFiles.VectorsBytes), embeddings[1].WithTensor(ProjectorFiles.MapBytes)], label);
        return embeddings;
    }

    private string Resolve(string name) => ProjectorPath.Resolve(folder, name);

    public void Dispose()
    {
        vectors.Dispose();
        sprite.Dispose();
    }
}
