using Akka.Configuration;
using ParallelDiff.Actors;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>The CLI's byte-size reader against its oracle, Akka.NET's Config.GetByteSize.</summary>
public sealed class HoconByteSizeTests
{
    [Theory]
    [InlineData("4 MiB")]
    [InlineData("64MiB")]
    [InlineData("2 GiB")]
    [InlineData("1024")]
    [InlineData("10b")]
    [InlineData(" 5 B")]
    [InlineData("7 k")]
    [InlineData("5kB")]
    [InlineData("3 megabytes")]
    [InlineData("1 E")]
    [InlineData("9999999 EiB")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("\"\"")]
    [InlineData("null")]
    [InlineData("{ x = 1 }")]
    [InlineData("1.5 MiB")]
    [InlineData("4 mb")]
    [InlineData("3 KB")]
    [InlineData("abc")]
    [InlineData("1_000")]
    [InlineData("0x10")]
    public void HoconByteSize_should_read_a_value_as_Akka_reads_it(string value)
    {
        var config = ConfigurationFactory.ParseString("a = " + value);

        Assert.Equal(Outcome(() => config.GetByteSize("a")), Outcome(() => HoconByteSize.Parse(config.GetString("a", null))));
    }

    [Fact]
    public void HoconByteSize_should_read_a_missing_key_as_Akka_does()
    {
        var config = ConfigurationFactory.ParseString("a = 1");

        Assert.Null(config.GetByteSize("b"));
        Assert.Null(HoconByteSize.Parse(config.GetString("b", null)));
    }

    private static string Outcome(Func<long?> read)
    {
        try
        {
            return read()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
        }
        catch (FormatException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
