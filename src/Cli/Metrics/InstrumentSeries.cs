using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ParallelDiff.Cli.Metrics;

/// <summary>
/// One instrument's running totals, one series per tag set, and their lines in Prometheus's text
/// exposition format 0.0.4. The name follows OpenTelemetry's Prometheus mapping, so a scrape of
/// --metrics and one of OpenTelemetry's exporter agree: dots become underscores, the unit is
/// appended (s: _seconds, By: _bytes; {…} units are dropped), and a counter ends in _total.
/// Counters add; up-down counters add and are written as gauges; observable instruments keep
/// their last observation; a histogram counts into its advised bucket bounds. Not thread-safe:
/// <see cref="PrometheusExposition"/> serializes every record and write.
/// </summary>
internal sealed class InstrumentSeries
{
    /// <summary>Bounds for a histogram that advises none: OpenTelemetry's defaults.</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly SortedDictionary<string, double> _values = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, Buckets> _histograms = new(StringComparer.Ordinal);
    private readonly string _name;
    private readonly string _help;
    private readonly string _type;
    private readonly bool _observed;
    private readonly double[] _bounds;

    private InstrumentSeries(Instrument instrument, string type, bool observed, IReadOnlyList<double>? bounds = null)
    {
        _type = type;
        _observed = observed;
        _bounds = [.. bounds ?? DefaultBounds];
        _help = instrument.Description ?? instrument.Name;
        _name = NameOf(instrument.Name, instrument.Unit, type);
    }

    /// <summary>The series of a counter, up-down counter, gauge or histogram of long, int or double; null for any other.</summary>
    public static InstrumentSeries? For(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<int> or Counter<double> => new(instrument, "counter", observed: false),
        ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => new(instrument, "counter", observed: true),
        UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double> => new(instrument, "gauge", observed: false),
        ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double> => new(instrument, "gauge", observed: true),
        ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double> or Gauge<long> or Gauge<int> or Gauge<double> => new(instrument, "gauge", observed: true),
        Histogram<double> h => new(instrument, "histogram", observed: false, h.Advice?.HistogramBucketBoundaries),
        Histogram<long> h => new(instrument, "histogram", observed: false, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
        Histogram<int> h => new(instrument, "histogram", observed: false, h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList()),
        _ => null,
    };

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        if (_type == "histogram")
        {
            if (!_histograms.TryGetValue(labels, out var buckets))
            {
                _histograms[labels] = buckets = new Buckets(_bounds.Length + 1);
            }

            buckets.Add(_bounds, value);
        }
        else
        {
            _values[labels] = _observed ? value : _values.GetValueOrDefault(labels) + value;
        }
    }

    /// <summary>HELP, TYPE and every series; a series with no labels at 0 while nothing was recorded, so the metric exists from the first scrape.</summary>
    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(_name).Append(' ').Append(_help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        text.Append("# TYPE ").Append(_name).Append(' ').Append(_type).Append('\n');
        if (_type == "histogram")
        {
            foreach (var (labels, buckets) in _histograms.Count > 0 ? _histograms : new SortedDictionary<string, Buckets> { [string.Empty] = new Buckets(_bounds.Length + 1) })
            {
                buckets.WriteTo(text, _name, labels, _bounds);
            }

            return;
        }

        foreach (var (labels, value) in _values.Count > 0 ? _values : new SortedDictionary<string, double> { [string.Empty] = 0 })
        {
            Sample(text, _name, labels, value);
        }
    }

    private static string NameOf(string name, string? unit, string type)
    {
        var prometheus = Sanitize(name);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            "1" when type == "gauge" => "_ratio",
            _ => string.Empty,
        };
        if (!prometheus.EndsWith(suffix, StringComparison.Ordinal))
        {
            prometheus += suffix;
        }

        return type == "counter" ? prometheus + "_total" : prometheus;
    }

    /// <summary>Metric and label names are [a-zA-Z_:][a-zA-Z0-9_:]*: anything else becomes '_' (paralleldiff.layers.done: paralleldiff_layers_done).</summary>
    private static string Sanitize(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!(char.IsAsciiLetter(chars[i]) || chars[i] == '_' || (i > 0 && char.IsAsciiDigit(chars[i]))))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    /// <summary>The tags as Prometheus labels, sorted by name: error_type="System.IO.IOException",paralleldiff_differ="overlay".</summary>
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var pairs = new List<string>(tags.Length);
        foreach (var (key, value) in tags)
        {
            var text = value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? string.Empty;
            pairs.Add($"{Sanitize(key)}=\"{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>Go's float syntax, as Prometheus parses it: +Inf, -Inf, NaN, else the shortest round-tripping decimal.</summary>
    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>One histogram series: a count per bucket (the last above every bound), the sum and the count.</summary>
    private sealed class Buckets(int buckets)
    {
        private readonly long[] _counts = new long[buckets];
        private double _sum;
        private long _count;

        public void Add(double[] bounds, double value)
        {
            // Prometheus buckets are "less than or equal": a value on a bound falls in that bucket.
            var i = 0;
            while (i < bounds.Length && value > bounds[i])
            {
                i++;
            }

            _counts[i]++;
            _sum += value;
            _count++;
        }

        /// <summary>_bucket lines with cumulative counts up to le="+Inf", then _sum and _count.</summary>
        public void WriteTo(StringBuilder text, string name, string labels, double[] bounds)
        {
            var prefix = labels.Length > 0 ? labels + "," : string.Empty;
            long cumulative = 0;
            for (var i = 0; i <= bounds.Length; i++)
            {
                cumulative += _counts[i];
                var le = i < bounds.Length ? Number(bounds[i]) : "+Inf";
                Sample(text, name + "_bucket", $"{prefix}le=\"{le}\"", cumulative);
            }

            Sample(text, name + "_sum", labels, _sum);
            Sample(text, name + "_count", labels, _count);
        }
    }
}
