using System.Text;
using System.Text.Json;
using Orleans.Embeddings.Gateway.Projector;
using Orleans.Embeddings.Gateway.Tests.Support;
using SkiaSharp;

namespace Orleans.Embeddings.Gateway.Tests;

/// <summary>The Projector file writers on their own, at sizes and with inputs the host tests do not reach.</summary>
public sealed class ProjectorWriterTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("embeddings-projector-unit-");

    [Theory]
    [InlineData(1, 28, 1, 28)]
    [InlineData(2, 28, 2, 28)]
    [InlineData(10_000, 28, 100, 28)]
    [InlineData(70_000, 28, 265, 28)]
    [InlineData(100_000, 28, 317, 25)]
    [InlineData(1_000_000, 64, 1000, 8)]
    [InlineData(67_108_864, 28, 8192, 1)]
    public void The_sprite_grid_is_square_fits_8192_pixels_and_shrinks_thumbnails_only_as_needed(int count, int thumbnail, int columns, int cell)
    {
        var layout = SpriteLayout.For(count, thumbnail)!;
        Assert.Equal((columns, cell), (layout.Columns, layout.Cell));
        Assert.True(layout.Side <= SpriteLayout.MaxSide);
        Assert.True((long)layout.Columns * layout.Columns >= count);
        Assert.True((long)(layout.Columns - 1) * (layout.Columns - 1) < count);
        Assert.Equal((0, 0), layout.Origin(0));
        Assert.Equal(((count - 1) % columns * cell, (count - 1) / columns * cell), layout.Origin(count - 1));
    }

    [Fact]
    public void More_images_than_one_pixel_cells_can_hold_get_no_sprite()
    {
        Assert.Null(SpriteLayout.For(8192 * 8192 + 1, 28));
    }

    [Fact]
    public void A_sprite_too_small_for_the_thumbnails_scales_them_down_into_its_cells()
    {
        const int count = 50;
        using var sheet = new SpriteSheet(count, maxSide: 100);
        for (var i = 0; i < count; i++) Assert.True(sheet.Draw(i, TestImages.Png(28, 28, i % 2 == 0 ? SKColors.Red : SKColors.Blue)));
        Assert.False(sheet.Draw(0, Encoding.UTF8.GetBytes("not an image")));
        var path = Path.Combine(folder.FullName, "sprite.png");
        Assert.True(sheet.Save(path));
        Assert.Equal((8, 12, 96), (sheet.Layout!.Columns, sheet.Layout.Cell, sheet.Layout.Side));
        using var sprite = SKBitmap.Decode(path);
        Assert.Equal((96, 96), (sprite.Width, sprite.Height));
        for (var i = 0; i < count; i++)
        {
            var (x, y) = sheet.Layout.Origin(i);
            // The whole cell is the thumbnail: 28 pixels became 12.
            Assert.Equal(i % 2 == 0 ? SKColors.Red : SKColors.Blue, sprite.GetPixel(x + 1, y + 1));
            Assert.Equal(i % 2 == 0 ? SKColors.Red : SKColors.Blue, sprite.GetPixel(x + 10, y + 10));
        }
    }

    [Fact]
    public void No_thumbnail_means_no_sprite_and_no_sprite_in_the_configs()
    {
        using (var writer = new ProjectorExportWriter(folder.FullName, new ProjectorJob("job", "points", 3, 2, 2, 10)))
        {
            writer.AppendVectors([1, 2, 3, 4, 5, 6]);
            for (var i = 0; i < 3; i++) writer.AppendImage(new ProjectorImage($"p{i}", [], "vector (2 values)", new Dictionary<string, string>(), null));
            var embeddings = writer.Complete([0.5f, 1, 1.5f, 2, 2.5f, 3]);
            Assert.All(embeddings, e => Assert.Null(e.Sprite));
        }
        Assert.False(File.Exists(Path.Combine(folder.FullName, ProjectorFiles.Sprite)));
        Assert.DoesNotContain("sprite", File.ReadAllText(Path.Combine(folder.FullName, ProjectorFiles.ConfigText)));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.FullName, ProjectorFiles.ConfigJson)));
        Assert.All(json.RootElement.GetProperty("embeddings").EnumerateArray(), e => Assert.False(e.TryGetProperty("sprite", out _)));
        // An image without labels has an empty label field, still one per column.
        Assert.Equal(["id\tlabel\tsource", "p0\t\tvector (2 values)"], File.ReadAllLines(Path.Combine(folder.FullName, ProjectorFiles.Metadata))[..2]);
    }

    [Fact]
    public void The_writer_refuses_parts_that_do_not_match_the_job()
    {
        using var writer = new ProjectorExportWriter(folder.FullName, new ProjectorJob("job", "points", 2, 3, 2, 10));
        Assert.Throws<ArgumentException>(() => writer.AppendVectors([1, 2]));
        Assert.Throws<ArgumentException>(() => writer.AppendVectors([1, 2, float.NaN]));
        writer.AppendVectors([1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => writer.Complete([0, 0, 1, 1]));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\tb", "a\\tb")]
    [InlineData("line\nbreak\r\n", "line\\nbreak\\r\\n")]
    [InlineData("back\\slash\\t", "back\\\\slash\\\\t")]
    [InlineData("", "")]
    public void Fields_escape_what_would_break_a_row_and_read_back_unchanged(string value, string escaped)
    {
        Assert.Equal(escaped, TsvField.Escape(value));
        Assert.DoesNotContain('\t', TsvField.Escape(value));
        Assert.DoesNotContain('\n', TsvField.Escape(value));
        Assert.Equal(value, TsvField.Unescape(TsvField.Escape(value)));
    }

    [Fact]
    public void Random_text_survives_escaping()
    {
        var random = new Random(11);
        const string alphabet = "ab\\\t\n\r tn";
        for (var trial = 0; trial < 500; trial++)
        {
            var value = new string([.. Enumerable.Range(0, random.Next(12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            Assert.Equal(value, TsvField.Unescape(TsvField.Escape(value)));
        }
    }

    [Theory]
    [InlineData("tensors.tsv", null)]
    [InlineData("sub/sprite.png", null)]
    [InlineData("../tensors.tsv", "'..'")]
    [InlineData("a/../../b", "'..'")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("C:/data/x.tsv", "relative")]
    [InlineData("dir\\x.tsv", "'\\'")]
    [InlineData("a//b", "empty")]
    [InlineData("", "empty")]
    public void Config_paths_must_be_relative_and_stay_inside_the_folder(string path, string? problem)
    {
        var found = ProjectorPath.Problem(path);
        if (problem is null)
        {
            Assert.Null(found);
            Assert.StartsWith(Path.GetFullPath(folder.FullName), ProjectorPath.Resolve(folder.FullName, path));
        }
        else
        {
            Assert.Contains(problem, found);
            Assert.Throws<ArgumentException>(() => ProjectorPath.Resolve(folder.FullName, path));
        }
    }

    [Fact]
    public void The_text_config_quotes_names_as_protobuf_text_format_and_reads_back()
    {
        var embedding = new ProjectorEmbedding("a \"quoted\"\\name\twith tab", "tensors.tsv", 3, 4, "metadata.tsv", new ProjectorSprite("sprite.png", 8, 8), "bookmarks.txt");
        var parsed = TextProto.Parse(ProjectorConfigText.Format([embedding])).Messages("embeddings").Single();
        Assert.Equal(embedding.TensorName, parsed.Value("tensor_name"));
        Assert.Equal([3, 4], parsed.Numbers("tensor_shape"));
        Assert.Equal([8, 8], parsed.Messages("sprite").Single().Numbers("single_image_dim"));
        Assert.Throws<ArgumentException>(() => ProjectorConfigText.Format([embedding with { MetadataPath = "../metadata.tsv" }]));
    }

    [Fact]
    public void Metadata_columns_are_the_fixed_three_then_every_key_in_ordinal_order_each_name_once()
    {
        var columns = MetadataColumns.For(
        [
            new Dictionary<string, string> { ["zeta"] = "1", ["id"] = "x" },
            new Dictionary<string, string> { ["alpha"] = "2", ["id (metadata)"] = "y", ["source"] = "z" },
        ]);
        Assert.Equal(["id", "label", "source", "alpha", "id (metadata)", "id (metadata) (metadata)", "source (metadata)", "zeta"], columns.Names);
        var row = columns.Row(new ProjectorImage("img", ["a", "b"], "file.png", new Dictionary<string, string> { ["id"] = "own id", ["zeta"] = "z" }, null));
        Assert.Equal(["img", "a,b", "file.png", "", "own id", "", "", "z"], row);
    }

    public void Dispose() => folder.Delete(recursive: true);
}
