using System.Security.Cryptography;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

public sealed class DigestFlowTests : StreamsSpec
{
    public DigestFlowTests(ITestOutputHelper output) : base(output)
    {
    }

    [Fact]
    public async Task DigestFlow_should_pass_bytes_through_and_digest_all_of_them()
    {
        var data = BlockCompressionFlowTests.TestBytes(100_000, 3);
        var chunks = BlockCompressionFlowTests.Chunks(data, [1, 1, 511, 4096, 70_000]);

        var (digest, passed) = await Source.From(chunks)
            .ViaMaterialized(new DigestFlow(), Keep.Right)
            .ToMaterialized(Sink.Seq<LayerBytes>(), Keep.Both)
            .Run(Materializer)
            .Await();

        Assert.Equal(data, passed.SelectMany(c => c.Span.ToArray()).ToArray());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), digest.Digest);
        Assert.Equal(data.Length, digest.Length);
    }

    [Fact]
    public async Task DigestFlow_should_digest_an_empty_stream()
    {
        var digest = await Source.Empty<LayerBytes>()
            .ViaMaterialized(new DigestFlow(), Keep.Right)
            .To(Sink.Ignore<LayerBytes>())
            .Run(Materializer);

        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest.Digest);
        Assert.Equal(0, digest.Length);
    }

    [Fact]
    public async Task DigestFlow_should_fault_its_task_when_upstream_fails()
    {
        var digest = Source.Single(LayerBytes.Of("partial"u8.ToArray()))
            .Concat(Source.Failed<LayerBytes>(new IOException("disk on fire")))
            .ViaMaterialized(new DigestFlow(), Keep.Right)
            .To(Sink.Ignore<LayerBytes>())
            .Run(Materializer);

        var error = await Assert.ThrowsAsync<IOException>(() => digest);
        Assert.Equal("disk on fire", error.Message);
    }

    [Fact]
    public async Task DigestFlow_should_fault_its_task_when_downstream_cancels()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (digest, sink) = Source.Repeat(LayerBytes.Of("x"u8.ToArray()))
                .ViaMaterialized(new DigestFlow(), Keep.Right)
                .ToMaterialized(this.SinkProbe<LayerBytes>(), Keep.Both)
                .Run(Materializer);
            sink.Request(3);
            await sink.ExpectNextNAsync(3).ToListAsync();
            sink.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => digest);
        }, Materializer);
    }
}
