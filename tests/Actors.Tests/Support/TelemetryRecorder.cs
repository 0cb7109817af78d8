using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Xunit;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// Every measurement of the "ParallelDiff" meter and every stopped activity of the "ParallelDiff"
/// source while it lives, as a host's MeterListener and ActivityListener (OpenTelemetry's too) see them.
/// Both listeners see the whole process: the tests that use it run in the <see cref="Telemetry"/>
/// collection, alone.
/// </summary>
public sealed class TelemetryRecorder : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public TelemetryRecorder()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "ParallelDiff")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue(new(instrument, value, tags.ToArray())));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue(new(instrument, value, tags.ToArray())));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ParallelDiff",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    public sealed record Measurement(Instrument Instrument, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public object? Tag(string key) => Tags.FirstOrDefault(t => t.Key == key).Value;
    }

    public IReadOnlyList<Activity> Activities => [.. _stopped];

    /// <summary>The measurements of one instrument so far, which must have the unit given.</summary>
    public IReadOnlyList<Measurement> Of(string name, string unit)
    {
        var all = _measurements.Where(m => m.Instrument.Name == name).ToList();
        Assert.All(all, m => Assert.Equal(unit, m.Instrument.Unit));
        Assert.All(all, m => Assert.False(string.IsNullOrWhiteSpace(m.Instrument.Description), $"{name} has no description"));
        return all;
    }

    /// <summary>Asks the observable instruments for their values now; returns each one's value by name.</summary>
    public IReadOnlyDictionary<string, double> Observe()
    {
        lock (_meters)
        {
            var before = _measurements.Count;
            _meters.RecordObservableInstruments();
            return _measurements.Skip(before).Where(m => m.Instrument.IsObservable).ToDictionary(m => m.Instrument.Name, m => m.Value);
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }
}
