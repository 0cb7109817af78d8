using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>The real calls, each logged as "call path" in the order made.</summary>
internal sealed class CallLog : IFileSystem
{
    private readonly LinuxFileSystem _inner = LinuxFileSystem.Instance;

    public List<string> Calls { get; } = [];

    private void Log(string call, ReadOnlySpan<byte> path)
    {
        lock (Calls)
        {
            Calls.Add($"{call} {PathBytes.Display(path)}");
        }
    }

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        Log("lstat", path);
        return _inner.TryLstat(path, out status, out errno);
    }

    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        Log("readdir", path);
        return _inner.ReadDirectory(path);
    }

    public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames)
    {
        Log("list", path);
        return _inner.ListDirectory(path, withXattrNames);
    }

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        Log("getxattr", path);
        return _inner.GetXattr(path, name);
    }

    public List<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        Log("listxattr", path);
        return _inner.ListXattrs(path);
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        Log("readlink", path);
        return _inner.ReadLink(path);
    }

    public Microsoft.Win32.SafeHandles.SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
    {
        Log("open", path);
        return _inner.OpenRead(path);
    }
}
