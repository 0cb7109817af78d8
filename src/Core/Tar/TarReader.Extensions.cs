using System.Text;
using static ParallelDiff.Core.Tar.TarFieldParser;

namespace ParallelDiff.Core.Tar;

/// <summary>PAX extended records and GNU long names: what precedes an entry and overrides its fields.</summary>
public sealed partial class TarReader
{
    private const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>The header values an extension may override, gathered before the header is built.</summary>
    private sealed class EntryFields
    {
        public required byte[] Name { get; set; }

        public required byte[] LinkName { get; set; }

        public long Size { get; set; }

        public long Uid { get; set; }

        public long Gid { get; set; }

        public long MtimeSeconds { get; set; }

        public int MtimeNanoseconds { get; set; }

        public List<KeyValuePair<string, byte[]>> Xattrs { get; } = [];
    }

    /// <summary>The 'x', 'L' and 'K' headers seen since the last entry.</summary>
    private sealed class PendingExtensions
    {
        public List<KeyValuePair<string, byte[]>> PaxRecords { get; } = [];

        public byte[]? LongName { get; set; }

        public byte[]? LongLink { get; set; }

        public bool Paxed { get; private set; }

        public bool Any => Paxed || LongName is not null || LongLink is not null;

        /// <summary>
        /// Parses "LEN KEY=VALUE\n" records (POSIX pax, "pax Extended Header"): LEN counts the
        /// whole record including its own digits. A later record, even from a later 'x' header,
        /// replaces an earlier one with the same key. Values are raw bytes.
        /// </summary>
        public void AddPaxRecords(ReadOnlySpan<byte> data, long dataOffset)
        {
            Paxed = true;
            var at = 0;
            while (at < data.Length)
            {
                var rest = data[at..];
                var recordOffset = dataOffset + at;
                var space = rest.IndexOf((byte)' ');
                if (space <= 0 || !TryParseDecimal(rest[..space], out var length) || length <= space + 1 || length > rest.Length)
                {
                    throw new TarFormatException("malformed PAX record length", recordOffset);
                }

                var record = rest[..(int)length];
                if (record[^1] != (byte)'\n')
                {
                    throw new TarFormatException("PAX record does not end with a newline", recordOffset);
                }

                var keyValue = record[(space + 1)..^1];
                var equals = keyValue.IndexOf((byte)'=');
                if (equals <= 0)
                {
                    throw new TarFormatException("PAX record without a key", recordOffset);
                }

                var key = keyValue[..equals];
                var value = keyValue[(equals + 1)..];
                if (key.Contains((byte)0))
                {
                    throw new TarFormatException("PAX record key contains NUL", recordOffset);
                }

                var keyText = Encoding.UTF8.GetString(key);
                Validate(keyText, value, recordOffset);
                Set(keyText, value.ToArray());
                at += (int)length;
            }
        }

        private static void Validate(string key, ReadOnlySpan<byte> value, long recordOffset)
        {
            switch (key)
            {
                case "path" or "linkpath" when value.Contains((byte)0):
                    throw new TarFormatException($"PAX {key} contains NUL", recordOffset);
                case "size" or "uid" or "gid" when !value.IsEmpty && !(TryParseDecimal(value, out var n) && n >= 0):
                    throw new TarFormatException($"PAX {key} is not a non-negative decimal", recordOffset);
                case "mtime" when !value.IsEmpty && !TryParsePaxSeconds(value, out _):
                    throw new TarFormatException("PAX mtime is not a decimal time", recordOffset);
            }
        }

        private void Set(string key, byte[] value)
        {
            var index = PaxRecords.FindIndex(r => r.Key == key);
            if (index >= 0)
            {
                PaxRecords[index] = new(key, value);
            }
            else
            {
                PaxRecords.Add(new(key, value));
            }
        }

        /// <summary>
        /// Overrides the header's fields. An empty value leaves the field as the header has it
        /// (POSIX: an empty value removes the keyword), except for xattrs, whose empty value is a
        /// real attribute value.
        /// </summary>
        public void ApplyTo(EntryFields fields)
        {
            foreach (var (key, value) in PaxRecords)
            {
                if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
                {
                    fields.Xattrs.Add(new(key[XattrPrefix.Length..], value));
                    continue;
                }

                if (value.Length == 0)
                {
                    continue;
                }

                long number;
                switch (key)
                {
                    case "path":
                        fields.Name = value;
                        break;
                    case "linkpath":
                        fields.LinkName = value;
                        break;
                    case "size" when TryParseDecimal(value, out number):
                        fields.Size = number;
                        break;
                    case "uid" when TryParseDecimal(value, out number):
                        fields.Uid = number;
                        break;
                    case "gid" when TryParseDecimal(value, out number):
                        fields.Gid = number;
                        break;
                    case "mtime" when TryParsePaxTime(value, out number, out var nanoseconds):
                        fields.MtimeSeconds = number;
                        fields.MtimeNanoseconds = nanoseconds;
                        break;
                }
            }

            if (LongName is not null)
            {
                fields.Name = LongName;
            }

            if (LongLink is not null)
            {
                fields.LinkName = LongLink;
            }
        }
    }
}
