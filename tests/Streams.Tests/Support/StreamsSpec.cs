using Akka.Streams;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>An actor system with the library's reference config and one materializer per test.</summary>
public abstract class StreamsSpec : Akka.TestKit.Xunit2.TestKit
{
    protected StreamsSpec(ITestOutputHelper output)
        : base(StreamsConfig.Reference, output: output)
    {
        Materializer = ActorMaterializer.Create(Sys);
    }

    protected ActorMaterializer Materializer { get; }

    /// <summary>Small numbers so a few MiB of test data cross many block boundaries.</summary>
    protected static PipelineSettings SmallSettings(int parallelism = 4, long readAheadBytes = 256 * 1024) =>
        PipelineSettings.Default with { Parallelism = parallelism, ReadAheadBytes = readAheadBytes };
}
