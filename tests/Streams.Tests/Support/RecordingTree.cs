using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>A tree that delegates everything and records the thread each file was opened on.</summary>
public sealed class RecordingTree(ISnapshotTree inner) : ISnapshotTree
{
    public ConcurrentBag<string?> OpenThreads { get; } = [];

    public string Description => inner.Description;

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno) => inner.TryLstat(path, out status, out errno);

    public IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory) => inner.List(directory);

    public byte[] ReadLink(ReadOnlySpan<byte> path) => inner.ReadLink(path);

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name) => inner.GetXattr(path, name);

    public IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path) => inner.ListXattrs(path);

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path)
    {
        OpenThreads.Add(Thread.CurrentThread.Name);
        return inner.OpenData(path);
    }

    public string Locate(ReadOnlySpan<byte> path) => inner.Locate(path);
}
