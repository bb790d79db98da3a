using System.Text.Json;
using Broker.Inspection;

namespace Broker.Tests.Support;

/// <summary>Asks a test node's command host, as an operator's CLI would.</summary>
public static class Inspect
{
    /// <summary>A client for <paramref name="node"/>'s inspection port.</summary>
    public static InspectionClient Client(TestNode node, string? token = null) =>
        new("127.0.0.1", node.Status.InspectionEndpoint!.Port, token);

    /// <summary>Runs a command that must succeed and returns its result.</summary>
    public static async Task<JsonElement> Query(TestNode node, params string[] command)
    {
        var reply = await Client(node).SendAsync(command);
        Assert.True(reply.Ok, $"'{string.Join(' ', command)}' failed: {reply.ErrorCode}: {reply.Error}");
        return reply.Result!.Value;
    }

    /// <summary>The elements of the array property <paramref name="name"/>.</summary>
    public static JsonElement[] Rows(this JsonElement result, string name) => result.GetProperty(name).EnumerateArray().ToArray();
}
