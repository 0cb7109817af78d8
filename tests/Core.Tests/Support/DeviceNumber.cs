namespace ParallelDiff.Core.Tests.Support;

/// <summary>A device number as the vectors record it: {"major": M, "minor": m}.</summary>
public readonly record struct DeviceNumber(uint Major, uint Minor)
{
    public override string ToString() => $"{Major}:{Minor}";
}
