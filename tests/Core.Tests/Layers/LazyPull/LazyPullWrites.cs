using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>A lazy-pull layer written into memory as the frame-cache tests write one, and how two are compared.</summary>
internal static class LazyPullWrites
{
    /// <param name="frames">The shared cache, or null for a cold layer (no cache at all).</param>
    /// <param name="holdsBlob">As LazyPullLayer.WriteBlob's: given, the blob is held back while every frame is cached.</param>
    public static (byte[] Bytes, LayerDescriptor Descriptor, bool Held) Write(SnapshotDiff diff, LayerCompression kind, FrameCache? frames, Func<KnownBlob, bool>? holdsBlob = null)
    {
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        using var blob = new MemoryStream();
        var written = LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(kind, blockSize: 64 * 1024), blob, CancellationToken.None, reuseFrames: frames is not null, frames: frames, holdsBlob: holdsBlob);
        return (blob.ToArray(), written.Descriptor, written.BlobHeld);
    }

    /// <summary>The same blob bytes and the same descriptor (digest, size, diffID, annotations).</summary>
    public static void AssertSameLayer((byte[] Bytes, LayerDescriptor Descriptor, bool Held) expected, (byte[] Bytes, LayerDescriptor Descriptor, bool Held) actual)
    {
        Assert.Equal(expected.Bytes, actual.Bytes);
        Assert.Equal(expected.Descriptor.ToJson(), actual.Descriptor.ToJson());
    }
}
