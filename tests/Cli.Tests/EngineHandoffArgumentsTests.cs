using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>The engine gets this process's arguments byte for byte: non-UTF-8 names and empty arguments included.</summary>
public sealed class EngineHandoffArgumentsTests
{
    private static byte[] Bytes(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Z(string s) => [.. System.Text.Encoding.UTF8.GetBytes(s), 0];

    [Fact]
    public void Arguments_should_skip_argv0_and_keep_each_argument_with_its_NUL()
    {
        var args = EngineHandoff.Arguments(Bytes(Z("/usr/bin/paralleldiff"), Z("diff"), Z("--upper"), Z("/u")));

        Assert.Equal([Z("diff"), Z("--upper"), Z("/u")], args);
    }

    [Fact]
    public void Empty_arguments_should_be_kept_even_last()
    {
        var args = EngineHandoff.Arguments(Bytes(Z("pd"), Z(""), Z("x"), Z("")));

        Assert.Equal([Z(""), Z("x"), Z("")], args);
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_should_pass_unchanged()
    {
        byte[] name = [(byte)'/', 0xff, 0xfe, (byte)'a', 0];

        Assert.Equal([name], EngineHandoff.Arguments(Bytes(Z("pd"), name)));
    }

    [Fact]
    public void No_arguments_should_give_none()
    {
        Assert.Empty(EngineHandoff.Arguments(Z("pd")));
        Assert.Empty(EngineHandoff.Arguments([]));
    }

    [Fact]
    public void An_unterminated_last_argument_should_be_refused()
    {
        Assert.Throws<InvalidDataException>(() => EngineHandoff.Arguments(Bytes(Z("pd"), "x"u8.ToArray())));
    }
}
