namespace ParallelDiff.Core.Export;

/// <summary>
/// A journal entry with its line already written (<see cref="ExportJournal.ToLine"/>). A bulk
/// export makes it on the thread that finished the snapshot, in parallel with the others, so that
/// recording a group only copies bytes: written by the recorder as it appended them, the lines of
/// a warm 1,000-snapshot export's last group were ~2 ms that the whole run waited for at its end.
/// </summary>
public sealed class JournalLine
{
    private JournalLine(JournalEntry entry, byte[] bytes)
    {
        Entry = entry;
        Bytes = bytes;
    }

    public JournalEntry Entry { get; }

    /// <summary>The line, newline included.</summary>
    internal byte[] Bytes { get; }

    public static JournalLine Of(JournalEntry entry) => new(entry, ExportJournal.ToLine(entry));
}
