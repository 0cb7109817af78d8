using System.Globalization;
using System.Runtime.InteropServices;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// Where the frame cache's memory tier keeps frames: in slabs the kernel was asked to back with
/// huge pages (VM_HUGEPAGE, "hg" in the mapping's VmFlags), so that filling and writing out a
/// cache of hundreds of MiB is not a page fault per 4 KiB.
/// </summary>
public sealed unsafe class FrameCacheMemoryTests
{
    [HugePagesFact]
    public void A_big_cache_should_keep_its_frames_in_memory_advised_for_huge_pages()
    {
        var cache = new FrameCache(memoryCapacity: 256L * 1024 * 1024);
        var frame = new byte[512 * 1024];
        CachedFrame last = default;

        // Ten frames of 512 KiB: the tenth lies 4.5 MiB into the first slab, past its first 2 MiB
        // boundary (the advice covers only whole huge pages inside the slab).
        for (var i = 0; i < 10; i++)
        {
            frame.AsSpan().Fill((byte)i);
            var key = FrameCache.KeyOf("zstd-3", "sha256:" + i.ToString("x64", CultureInfo.InvariantCulture), frame.Length);
            cache.Add(key, frame.Length, frame);
            Assert.True(cache.TryGet(key, frame.Length, out last));
        }

        Assert.Equal(9, last.Bytes.Span[0]);
        Assert.True(MemoryMarshal.TryGetArray(last.Bytes, out var slab), "a kept frame is a piece of a slab array");
        fixed (byte* at = &slab.Array![slab.Offset])
        {
            var flags = VmFlagsAt((ulong)at);
            Assert.Contains("hg", flags.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>The VmFlags of the mapping of this process that holds <paramref name="address"/>, from /proc/self/smaps.</summary>
    private static string VmFlagsAt(ulong address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
            {
                inside = start <= address && address < end;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line["VmFlags:".Length..];
            }
        }

        throw new InvalidOperationException($"no mapping of this process holds 0x{address:x}");
    }
}
