using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// A stack the kernel made through real overlay mounts (<see cref="KernelMadeLayers"/>: copy-ups,
/// whiteouts, opaque directories, renames, hard links) as zstd:chunked and eStargz layers: each
/// layer passes containers/storage's and stargz-snapshotter's readers, keeps zstd's diffID as
/// zstd:chunked, and applies like the plain layer.
/// </summary>
public sealed class LazyPullKernelStackTests : IDisposable
{
    private readonly KernelMadeLayers _stack = new();

    public void Dispose() => _stack.Dispose();

    [RootWithGoFact]
    public void Every_layer_of_a_kernel_made_stack_should_pass_the_readers_of_both_formats()
    {
        (string Name, Snapshot Snapshot)[] layers =
        [
            ("L2", Snapshot.OfOverlay(_stack.L2, [_stack.L1], OverlayOptions.Default)),
            ("L3", Snapshot.OfOverlay(_stack.L3, [_stack.L2, _stack.L1], OverlayOptions.Default)),
            ("U", Snapshot.OfOverlay(_stack.U, [_stack.L3, _stack.L2, _stack.L1], OverlayOptions.Default)),
        ];
        foreach (var (name, snapshot) in layers)
        {
            var scratch = _stack.At("lazy-" + name);
            Directory.CreateDirectory(scratch);
            LazyPullLayers.Check(snapshot, LayerOptions.Default, scratch);
        }
    }
}
