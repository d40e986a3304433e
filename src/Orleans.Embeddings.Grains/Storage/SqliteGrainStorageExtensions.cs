using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;

namespace Orleans.Embeddings.Grains.Storage;

/// <summary>Registers <see cref="SqliteGrainStorage"/> as a named grain storage provider.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>
    /// Adds grain storage named <paramref name="name"/> kept in a SQLite file (by default
    /// <see cref="SqliteGrainStorageOptions.DefaultDatabasePath"/> in the working directory).
    /// </summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <inheritdoc cref="AddSqliteGrainStorage(ISiloBuilder, string, Action{SqliteGrainStorageOptions}?)"/>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var options = services.AddOptions<SqliteGrainStorageOptions>(name);
        if (configure is not null) options.Configure(configure);

        // The type argument must be the concrete provider, not IGrainStorage: AddGrainStorage registers the provider
        // as a silo lifecycle participant (which opens the database) only if that type implements the interface.
        return services.AddGrainStorage<SqliteGrainStorage>(name, SqliteGrainStorage.Create);
    }
}
