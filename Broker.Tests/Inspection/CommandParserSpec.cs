using Broker.Inspection.Internal;

namespace Broker.Tests.Inspection;

/// <summary>How a request's words become a command and its arguments.</summary>
public sealed class CommandParserSpec
{
    private static (InspectionCommand Command, CommandArguments Arguments) Parse(params string[] words) =>
        CommandParser.Parse(words, InspectionCommands.All);

    [Fact]
    public void The_longest_command_wins_so_dlq_replay_is_not_dlq_with_an_argument()
    {
        Assert.Equal("dlq", Parse("dlq").Command.Info.Name);
        var (command, args) = Parse("dlq", "replay", "orders.dlt", "--from", "5", "--count", "10");
        Assert.Equal("dlq replay", command.Info.Name);
        Assert.Equal("orders.dlt", args["topic"]);
        Assert.Equal(5, args.Integer("from"));
        Assert.Equal(10, args.Integer("count"));
        Assert.Null(args.Integer("partition"));
    }

    [Fact]
    public void Words_match_case_insensitively_and_positionals_keep_their_case()
    {
        var (command, args) = Parse("Cluster", "LEAVE", "akka.tcp://Broker@h:1");
        Assert.Equal("cluster leave", command.Info.Name);
        Assert.Equal("akka.tcp://Broker@h:1", args["address"]);
    }

    [Theory]
    [InlineData("no command given.", new string[0])]
    [InlineData("unknown command 'cluster'.", new[] { "cluster" })]
    [InlineData("unknown command 'cluster shows'.", new[] { "cluster", "shows" })]
    [InlineData("missing <type>.", new[] { "cluster-sharding", "region-stats" })]
    [InlineData("'dlq replay' has no option --to.", new[] { "dlq", "replay", "t", "--to", "1" })]
    [InlineData("--from is given twice.", new[] { "dlq", "replay", "t", "--from", "1", "--from", "2" })]
    [InlineData("--count needs a value (N).", new[] { "dlq", "replay", "t", "--count" })]
    [InlineData("--from must be a whole number of at least 0, not 'x'.", new[] { "dlq", "replay", "t", "--from", "x" })]
    [InlineData("unexpected argument 'x'.", new[] { "health", "x" })]
    public void Bad_requests_name_the_problem(string message, string[] words)
    {
        var e = Assert.Throws<CommandUsageException>(() => Parse(words));
        Assert.Equal(message, e.Message);
    }
}
