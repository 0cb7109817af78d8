namespace ParallelDiff.Core.Diff;

/// <summary>Receives changes in the differ's order (pre-order, names byte-wise).</summary>
public interface IChangeSink
{
    void Handle(Change change);
}

/// <summary>Collects changes in order, for a shard of a walk or a test.</summary>
public sealed class ChangeList : List<Change>, IChangeSink
{
    public void Handle(Change change) => Add(change);
}
