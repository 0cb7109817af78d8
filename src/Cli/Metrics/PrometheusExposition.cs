using System.Diagnostics.Metrics;
using System.Text;
using ParallelDiff.Actors;

namespace ParallelDiff.Cli.Metrics;

/// <summary>
/// The <see cref="ParallelDiffTelemetry.MeterName"/> meter as a Prometheus target shows it: a
/// MeterListener that keeps every instrument's totals from its start (<see cref="InstrumentSeries"/>)
/// and writes them all, observable instruments sampled at that moment, on each <see cref="Scrape"/>.
/// Only that meter is listened to, so another library's instruments in the process cost nothing here.
/// One lock serializes every measurement and each scrape, so a scrape is one moment of all the
/// instruments (a layer counted done has its bytes and duration in the same answer), not a
/// series read while the next layers finish; a handful of measurements per layer never contend.
/// </summary>
public sealed class PrometheusExposition : IDisposable
{
    /// <summary>The Content-Type of <see cref="Scrape"/>'s text (Prometheus's text format 0.0.4).</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<InstrumentSeries> _instruments = [];

    public PrometheusExposition()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != ParallelDiffTelemetry.MeterName || InstrumentSeries.For(instrument) is not { } series)
            {
                return;
            }

            lock (_lock)
            {
                _instruments.Add(series);
            }

            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, series) => Record(series, value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, series) => Record(series, value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, series) => Record(series, value, tags));
        _listener.Start();

        // The instruments are made with the first layer; made now, every metric is in the first scrape, at 0.
        _ = ExportInstruments.Meter;
    }

    /// <summary>Every instrument's HELP, TYPE and samples, in the order the meter made them.</summary>
    public string Scrape()
    {
        var text = new StringBuilder();
        lock (_lock)
        {
            // The observable instruments' callbacks record on this thread, re-entering the lock.
            _listener.RecordObservableInstruments();
            foreach (var series in _instruments)
            {
                series.WriteTo(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(object? series, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            ((InstrumentSeries)series!).Record(value, tags);
        }
    }
}
