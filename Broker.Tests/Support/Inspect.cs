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

    /// <summary>
    /// Runs <paramref name="command"/> until its answer satisfies <paramref name="condition"/> (node state that has no event
    /// to wait on, like <see cref="Eventually"/>) and returns that answer.
    /// </summary>
    /// <exception cref="TimeoutException">No answer satisfied it within <paramref name="timeout"/>; names the last answer.</exception>
    public static async Task<JsonElement> Until(TestNode node, string[] command, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await Query(node, command);
            if (condition(answer)) return answer;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout} waiting for: {what}; last answer to '{string.Join(' ', command)}': {answer}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the node is an Up member of its cluster (it joins itself just after start) and returns <c>cluster show</c>.</summary>
    public static Task<JsonElement> UpAsync(TestNode node) =>
        Until(node, ["cluster", "show"], s => s.Rows("members").Any(m => m.GetProperty("self").GetBoolean() && m.Text("status") == "Up"),
            TimeSpan.FromSeconds(60), "this node Up");

    /// <summary>The elements of the array property <paramref name="name"/>.</summary>
    public static JsonElement[] Rows(this JsonElement result, string name) => result.GetProperty(name).EnumerateArray().ToArray();

    /// <summary>The string property <paramref name="name"/>.</summary>
    public static string? Text(this JsonElement result, string name) => result.GetProperty(name).GetString();

    /// <summary>The integer property <paramref name="name"/>, or null when it is JSON null.</summary>
    public static long? Number(this JsonElement result, string name) =>
        result.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetInt64() : null;
}
