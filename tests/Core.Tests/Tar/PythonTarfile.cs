using System.Diagnostics;
using System.Text.Json;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>One member as Python's tarfile reads it; byte strings as lowercase hex.</summary>
public sealed record TarfileMember(
    string NameHex,
    string LinkNameHex,
    int Mode,
    long Uid,
    long Gid,
    long Size,
    long Mtime,
    char Type,
    long DevMajor,
    long DevMinor,
    Dictionary<string, string> XattrsHex);

/// <summary>
/// Python's tarfile as an independent reader (it checks each checksum and honours PAX records).
/// surrogateescape keeps names and values that are not UTF-8 as their original bytes. One
/// python3 process serves every read, because its start-up costs far more than a read.
/// </summary>
public sealed class PythonTarfile : IDisposable
{
    private const string Script = """
        import json, sys, tarfile

        def raw(text):
            return text.encode("utf-8", "surrogateescape").hex()

        def members(path):
            found = []
            with tarfile.open(path, "r:", encoding="utf-8", errors="surrogateescape") as archive:
                for m in archive:
                    found.append({
                        "NameHex": raw(m.name), "LinkNameHex": raw(m.linkname), "Mode": m.mode,
                        "Uid": m.uid, "Gid": m.gid, "Size": m.size, "Mtime": int(m.mtime),
                        "Type": m.type.decode("latin-1"), "DevMajor": m.devmajor, "DevMinor": m.devminor,
                        "XattrsHex": {k[len("SCHILY.xattr."):]: raw(v) for k, v in m.pax_headers.items()
                                      if k.startswith("SCHILY.xattr.")},
                    })
            return found

        for line in sys.stdin:
            try:
                reply = {"Members": members(line.rstrip("\n"))}
            except Exception as e:
                reply = {"Error": repr(e)}
            print(json.dumps(reply), flush=True)
        """;

    private readonly Process python;

    private PythonTarfile(Process python) => this.python = python;

    public static PythonTarfile Start()
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        return new PythonTarfile(Process.Start(start) ?? throw new InvalidOperationException("cannot start python3"));
    }

    /// <summary>The members of the tar at <paramref name="tarPath"/>, in archive order.</summary>
    public IReadOnlyList<TarfileMember> Read(string tarPath)
    {
        python.StandardInput.WriteLine(tarPath);
        python.StandardInput.Flush();
        var line = python.StandardOutput.ReadLine() ?? throw new InvalidOperationException("python3 tarfile exited");
        var reply = JsonSerializer.Deserialize<Reply>(line) ?? throw new InvalidOperationException("python3 replied null");
        return reply.Members ?? throw new InvalidOperationException("python3 tarfile failed: " + reply.Error);
    }

    public void Dispose()
    {
        python.StandardInput.Close();
        if (!python.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            python.Kill();
        }

        python.Dispose();
    }

    private sealed record Reply(List<TarfileMember>? Members, string? Error);
}
