using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using Xunit;

namespace ParallelDiff.Cli.Tests.Packages;

/// <summary>
/// What a .NET team that embeds the library gets: `./run.sh pack`, then a console project of its
/// own, outside this repository (none of its Directory.Build.props, central versions or project
/// references), that restores ParallelDiff.Actors and ParallelDiff.Core from the packed folder and
/// exports a snapshot through the actor path. The layer is checked against sha256 of the file and
/// read back by GNU tar and gzip.
/// </summary>
public sealed class PackedLibraryTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(20);

    private readonly string _root = Directory.CreateTempSubdirectory("pd-packages-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Packages_should_restore_from_the_packed_folder_into_a_fresh_project_and_export_a_layer()
    {
        var packages = Path.Combine(_root, "packages");
        var pack = PackedProcess.Run("bash", RepositoryRoot, new() { ["PACK_OUTPUT"] = packages }, Patience,
            Path.Combine(RepositoryRoot, "run.sh"), "pack");
        Assert.True(pack.ExitCode == 0, $"./run.sh pack exited {pack.ExitCode}:\n{pack.StdErr}\n{pack.StdOut}");

        // Every library under src/ is packed, with its symbols; the executables are not.
        var libraries = Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "src"), "ParallelDiff.*.csproj", SearchOption.AllDirectories)
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Where(name => name is not ("ParallelDiff.Cli" or "ParallelDiff.Engine"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("ParallelDiff.Actors", libraries);
        var version = PackedVersion(packages, "ParallelDiff.Actors");
        Assert.Equal(
            libraries.SelectMany(name => new[] { $"{name}.{version}.nupkg", $"{name}.{version}.snupkg" }).Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(packages).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in libraries)
        {
            Assert.Contains($"{name}.{version}.nupkg", pack.StdErr, StringComparison.Ordinal);
            CheckPackage(Path.Combine(packages, $"{name}.{version}.nupkg"), name, version);
        }

        // A project of a team's own: a folder outside the repository, its own nuget.config and an
        // empty global-packages folder, so that only what was just packed can be restored.
        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        WriteConsumerProject(app, packages, version);
        var cache = Path.Combine(_root, "nuget-packages");
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = cache,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        var build = PackedProcess.Run("dotnet", app, environment, Patience, "build", "-c", "Release", "-nologo", "-v", "q");
        Assert.True(build.ExitCode == 0, $"dotnet build of the fresh project exited {build.ExitCode}:\n{build.StdOut}\n{build.StdErr}");

        // Restored from the packed folder, byte for byte: not from a cache or another feed.
        foreach (var name in new[] { "ParallelDiff.Actors", "ParallelDiff.Streams", "ParallelDiff.Core" })
        {
            var metadata = Path.Combine(cache, name.ToLowerInvariant(), version, ".nupkg.metadata");
            Assert.True(File.Exists(metadata), $"{name} {version} was not restored into the fresh project's packages folder");
            using var json = JsonDocument.Parse(File.ReadAllText(metadata));
            Assert.Equal(Path.TrimEndingDirectorySeparator(packages), Path.TrimEndingDirectorySeparator(json.RootElement.GetProperty("source").GetString()!));
            var packed = File.ReadAllBytes(Path.Combine(packages, $"{name}.{version}.nupkg"));
            Assert.Equal(Convert.ToBase64String(SHA512.HashData(packed)), json.RootElement.GetProperty("contentHash").GetString());
        }

        var tree = Path.Combine(_root, "snapshot");
        var (upper, lower) = (Path.Combine(tree, "upper"), Path.Combine(tree, "lower"));
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        Directory.CreateDirectory(Path.Combine(lower, "etc"));
        File.WriteAllText(Path.Combine(lower, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(lower, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(upper, "etc", "hosts"), "127.0.0.1 localhost\n::1 localhost\n");
        File.WriteAllText(Path.Combine(upper, "hello.txt"), "hello from a packed library\n");
        var layer = Path.Combine(_root, "layer.tar.gz");

        var run = PackedProcess.Run("dotnet", app, environment, Patience,
            Path.Combine(app, "bin", "Release", "net10.0", "app.dll"), upper, lower, layer);
        Assert.True(run.ExitCode == 0, $"the fresh project's program exited {run.ExitCode}:\n{run.StdErr}\n{run.StdOut}");

        using var descriptor = JsonDocument.Parse(run.StdOut);
        var blob = File.ReadAllBytes(layer);
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", descriptor.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)), descriptor.RootElement.GetProperty("digest").GetString());
        Assert.Equal(blob.Length, descriptor.RootElement.GetProperty("size").GetInt64());
        var tar = CliRunner.Pipe("gzip", blob, "-dc");
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)),
            descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString());
        Assert.Equal(["etc/", "etc/hosts", "hello.txt"], SystemTool.Check("tar", "-tzf", layer).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("hello from a packed library\n", SystemTool.Check("tar", "-xzOf", layer, "hello.txt"));
        // The sharded walk ran (actors, streams, their HOCON), not the sequential exporter.
        var phases = run.StdErr.Split('\n').Single(line => line.StartsWith("phases: ", StringComparison.Ordinal))["phases: ".Length..].Split(',');
        Assert.Contains("Walking", phases);
        Assert.Contains("Completed", phases);
        Assert.DoesNotContain("Sequential", phases);
    }

    /// <summary>The folder with run.sh, above the test assembly.</summary>
    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "run.sh")) && File.Exists(Path.Combine(dir.FullName, "ParallelDiff.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no run.sh and ParallelDiff.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>"1.0.0" of packages/NAME.1.0.0.nupkg.</summary>
    private static string PackedVersion(string packages, string name)
    {
        var file = Directory.EnumerateFiles(packages, $"{name}.*.nupkg").SingleOrDefault();
        Assert.True(file is not null, $"no {name} package in {packages}: {string.Join(", ", Directory.EnumerateFiles(packages).Select(Path.GetFileName))}");
        return Path.GetFileNameWithoutExtension(file)[(name.Length + 1)..];
    }

    /// <summary>The metadata a package page shows, the README it shows, the library with its XML docs.</summary>
    private static void CheckPackage(string path, string name, string version)
    {
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains($"lib/net10.0/{name}.dll", entries);
        Assert.Contains($"lib/net10.0/{name}.xml", entries);
        Assert.Contains("README.md", entries);

        using var nuspec = zip.GetEntry($"{name}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string field) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == field)?.Value;
        Assert.Equal(name, Field("id"));
        Assert.Equal(version, Field("version"));
        Assert.Equal("README.md", Field("readme"));
        // The SDK's default is "Package Description".
        Assert.False(Field("description") is null or "Package Description", $"{name}: no description of its own");
        Assert.False(string.IsNullOrWhiteSpace(Field("license")), $"{name}: no license");
        Assert.False(string.IsNullOrWhiteSpace(Field("tags")), $"{name}: no tags");
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
    }

    private static void WriteConsumerProject(string app, string packages, string version)
    {
        // Empty ones stop MSBuild's search upwards, wherever the temp folder is.
        var root = Path.GetDirectoryName(app)!;
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />\n");

        // The packed folder beside the machine's own sources (the user's NuGet.Config), which serve
        // Akka and the compressors.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="paralleldiff-packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ParallelDiff.Actors" Version="{version}" />
                <PackageReference Include="ParallelDiff.Core" Version="{version}" />
              </ItemGroup>
            </Project>
            """);

        // ActorThresholdEntries = 0: the actor path even for this small upper, so that Akka finds
        // the packed assemblies' types and reference.conf by name.
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using ParallelDiff.Actors;
            using ParallelDiff.Core.Compression;
            using ParallelDiff.Core.Layers;
            using ParallelDiff.Core.Snapshots;

            [assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

            var (upper, lower, output) = (args[0], args[1], args[2]);
            var phases = new Phases();
            await using var engine = new ExportEngine();
            var result = await engine.ExportAsync(
                Snapshot.OfOverlay(upper, [lower]),
                new ExportOptions { OutputPath = output, Compression = CompressionSettings.For(LayerCompression.Gzip), ActorThresholdEntries = 0 },
                phases);
            Console.Error.WriteLine("phases: " + string.Join(",", phases.Seen.Distinct()));
            Console.WriteLine(result.Descriptor.ToJson());

            sealed class Phases : IProgress<LayerProgress>
            {
                public System.Collections.Concurrent.ConcurrentQueue<ExportPhase> Seen { get; } = new();

                public void Report(LayerProgress value) => Seen.Enqueue(value.Phase);
            }
            """);
    }
}
