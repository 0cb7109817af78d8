using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The record of what an export finished, one JSON line per snapshot, appended and fsynced as each
/// one ends, so a crash or kill -9 loses at most the snapshots in flight. A rerun reads it to skip
/// what is already complete. The file is held with an exclusive lock while open: two exports
/// sharing a journal would each believe the other's work was their own.
/// </summary>
public sealed class ExportJournal : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FileStream _file;
    private readonly Dictionary<string, JournalEntry> _latest;
    private readonly Lock _gate = new();

    private ExportJournal(string path, FileStream file, Dictionary<string, JournalEntry> latest)
    {
        Path = path;
        _file = file;
        _latest = latest;
    }

    public string Path { get; }

    /// <summary>The last entry of each id, as read when the journal was opened.</summary>
    public IReadOnlyDictionary<string, JournalEntry> Latest => _latest;

    /// <summary>
    /// Opens (or creates) a journal for appending and reads what it holds. A last line without its
    /// newline is a write the kill interrupted: it is cut off, and that snapshot counts as not done.
    /// </summary>
    /// <exception cref="IOException">Another export holds the journal, or it cannot be opened.</exception>
    /// <exception cref="InvalidDataException">A complete line is not a journal entry (the file was edited or is something else).</exception>
    public static ExportJournal Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        FileStream file;
        try
        {
            file = Fs.ExclusiveFile.Open(full);
        }
        catch (IOException e)
        {
            throw new IOException($"{full}: cannot open the export journal (is another export using it?): {e.Message}", e);
        }

        try
        {
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
            if (complete < bytes.Length)
            {
                file.SetLength(complete);
                file.Flush(flushToDisk: true);
            }

            file.Seek(complete, SeekOrigin.Begin);
            return new ExportJournal(full, file, Read(bytes.AsSpan(0, complete), full));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Appends one entry and makes it durable before returning. Safe to call from many threads.</summary>
    public void Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Append([JournalLine.Of(entry)]);
    }

    /// <summary>Appends lines with one write and one fsync, durable before returning. Safe to call from many threads.</summary>
    public void Append(IReadOnlyList<JournalLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        // One write for the group: a group's lines run to a megabyte, pooled rather than fresh
        // memory and a large object each time.
        var total = 0;
        foreach (var line in lines)
        {
            ArgumentNullException.ThrowIfNull(line);
            total += line.Bytes.Length;
        }

        using var buffer = new PooledBufferWriter(Math.Max(total, 1));
        foreach (var line in lines)
        {
            buffer.Write(line.Bytes);
        }

        lock (_gate)
        {
            _file.Write(buffer.WrittenSpan);
            _file.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>{"fingerprint":"sha256:…","report":{…}} and a newline.</summary>
    public static byte[] ToLine(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var line = new PooledBufferWriter(1024);
        using (var json = new Utf8JsonWriter(line, Options))
        {
            WriteLine(json, line, entry);
        }

        return line.WrittenSpan.ToArray();
    }

    /// <summary>One entry's line at the end of <paramref name="lines"/>, through <paramref name="json"/> (which writes into it and is reset for the next).</summary>
    private static void WriteLine(Utf8JsonWriter json, IBufferWriter<byte> lines, JournalEntry entry)
    {
        json.WriteStartObject();
        json.WriteString("fingerprint", entry.Fingerprint);
        json.WritePropertyName("report");
        entry.Report.WriteTo(json);
        json.WriteEndObject();
        json.Flush();
        json.Reset(lines);
        lines.Write("\n"u8);
    }

    private static Dictionary<string, JournalEntry> Read(ReadOnlySpan<byte> text, string path)
    {
        var latest = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        var number = 0;
        foreach (var range in text.Split((byte)'\n'))
        {
            number++;
            var line = text[range];
            if (line.IsEmpty)
            {
                continue;
            }

            var where = $"{path}:{number}";
            try
            {
                using var document = JsonDocument.Parse(line.ToArray());
                var root = document.RootElement;
                var report = SnapshotReport.FromJson(root.GetProperty("report"), where);
                latest[report.Id] = new JournalEntry(root.GetProperty("fingerprint").GetString()!, report);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{where}: not an export journal entry ({e.Message}): \"{Encoding.UTF8.GetString(line)}\"", e);
            }
        }

        return latest;
    }
}
