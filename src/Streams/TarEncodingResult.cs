namespace ParallelDiff.Streams;

/// <summary>What a tar encoding wrote: its entries and the bytes of file data it read.</summary>
public sealed record TarEncodingResult(int Entries, long DataBytes);
