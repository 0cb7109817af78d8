using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// Writes the cluster's messages as small JSON objects with Utf8JsonWriter, by hand: Akka's
/// default serializer (Newtonsoft.Json, by reflection over the runtime types) does not survive
/// NativeAOT trimming, and hand-written JSON also keeps the wire format ours to version. Bound to
/// <see cref="IClusterMessage"/> in code (<see cref="ClusterMember.Start"/>).
/// </summary>
public sealed class ClusterMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string WorkRequestManifest = "W";
    private const string JobOfferManifest = "O";
    private const string JobOutcomeManifest = "R";

    /// <summary>Unique among the system's serializers (Akka reserves 0-100).</summary>
    public override int Identifier => 1414;

    public override string Manifest(object o) => o switch
    {
        WorkRequest => WorkRequestManifest,
        JobOffer => JobOfferManifest,
        JobOutcome => JobOutcomeManifest,
        _ => throw new ArgumentException($"{o?.GetType().Name} is not a cluster message", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            switch (obj)
            {
                case WorkRequest request:
                    json.WriteString("node", request.Node);
                    WriteList(json, "roots", request.Roots);
                    json.WriteNumber("slots", request.Slots);
                    break;
                case JobOffer offer:
                    json.WriteString("id", offer.JobId);
                    json.WriteString("job", offer.Job);
                    json.WriteString("base", offer.BaseDirectory);
                    WriteList(json, "args", offer.Arguments);
                    break;
                case JobOutcome outcome:
                    json.WriteString("id", outcome.JobId);
                    json.WriteString("node", outcome.Node);
                    json.WriteString("report", outcome.Report);
                    break;
                default:
                    throw new ArgumentException($"{obj?.GetType().Name} is not a cluster message", nameof(obj));
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        string Text(string name) => root.GetProperty(name).GetString() ?? throw new SerializationException($"cluster message {manifest}: \"{name}\" is null");
        return manifest switch
        {
            WorkRequestManifest => new WorkRequest(Text("node"), ReadList(root, "roots"), root.GetProperty("slots").GetInt32()),
            JobOfferManifest => new JobOffer(Text("id"), Text("job"), Text("base"), ReadList(root, "args")),
            JobOutcomeManifest => new JobOutcome(Text("id"), Text("node"), Text("report")),
            _ => throw new SerializationException($"unknown cluster message manifest \"{manifest}\" (a node of another version?)"),
        };
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static List<string> ReadList(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? string.Empty)];
}
