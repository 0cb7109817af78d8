using ParallelDiff.Cli.Export;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>The layer slots of a bulk export: a job that writes a layer waits for one, and gives it back once.</summary>
public sealed class LayerSlotsTests
{
    [Fact]
    public async Task LayerSlots_should_hold_back_a_writer_until_a_slot_is_given_back()
    {
        using var slots = new LayerSlots(1);
        var first = await slots.EnterAsync(CancellationToken.None);
        var second = slots.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);

        first.Dispose();
        var held = await second.WaitAsync(TimeSpan.FromSeconds(10));

        // Given back twice, a slot is still one slot: a third writer waits for the second.
        first.Dispose();
        var third = slots.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        held.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task LayerSlots_should_let_a_waiting_writer_be_cancelled()
    {
        using var slots = new LayerSlots(1);
        using var first = await slots.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slots.EnterAsync(cancel.Token));
    }
}
