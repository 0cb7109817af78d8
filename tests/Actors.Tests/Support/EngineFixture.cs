using Xunit;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>One export engine (one actor system) shared by a test class, as a batch job would share it.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public ExportEngine Engine { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}
