using System.Diagnostics;
using System.Text.Json;

namespace Broker.Tests.Host;

/// <summary>Broker.Host as an operator runs it: a process, its exit code, its output and its summary file.</summary>
public sealed class HostProcessSpec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_timed_run_on_embedded_defaults_exits_0_and_accounts_for_every_record_poison_included()
    {
        var summaryPath = Path.Combine(Path.GetTempPath(), $"broker-summary-{Guid.NewGuid():N}.json");
        var run = await RunAsync(["--duration", "8", "--rate", "500", "--demo-poison", "0.1", "--summary-json", summaryPath]);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}\n{run.Output}");
        Assert.Contains("Kafka bootstrap: 127.0.0.1:", run.Output);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryPath));
        var root = summary.RootElement;
        var produced = root.GetProperty("produced").GetInt64();
        var handled = root.GetProperty("handled").GetInt64();
        Assert.True(produced > 0 && handled > 0, run.Output);
        // Drained and committed at exit: every record produced is handled, dead-lettered or still waiting in Kafka.
        var deadLettered = root.GetProperty("deadLettered").GetInt64();
        Assert.Equal(produced, handled + deadLettered + root.GetProperty("lag").GetInt64());
        // Only the poison records are dead letters, and they never reach the handler, so never trip the breaker.
        Assert.InRange(deadLettered, 1, root.GetProperty("producedPoison").GetInt64());
        Assert.Equal(0, root.GetProperty("retried").GetInt64());
        Assert.Equal(0, root.GetProperty("breakerOpened").GetInt32());
        Assert.Equal("Closed", root.GetProperty("breakerState").GetString());
        Assert.Equal(0, root.GetProperty("outOfOrder").GetInt64());
        Assert.False(root.GetProperty("recordsDroppedByEmbeddedKafka").GetBoolean());
        Assert.Equal(12, root.GetProperty("partitions").GetArrayLength());
        File.Delete(summaryPath);
    }

    [Fact]
    public async Task A_bad_setting_stops_start_up_with_exit_code_2_naming_the_key()
    {
        var run = await RunAsync(["--duration", "5"], ("Broker__Consumer__MaxInFlightPerKey", "0"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Broker:Consumer:MaxInFlightPerKey = '0'", run.Output);
        Assert.Contains("Fix:", run.Output);
        Assert.DoesNotContain("Kafka bootstrap", run.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostAssembly());
        foreach (var a in args) info.ArgumentList.Add(a);
        // Any free inspection port, so a node someone runs on this machine (default port 9110) does not fail the test.
        info.Environment["Broker__Inspection__Port"] = "0";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Broker.Host did not exit within {Timeout}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Broker.Host.dll built in the same configuration as this test assembly.</summary>
    private static string HostAssembly()
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory); // Broker.Tests/bin/<config>/<tfm>/
        var tfm = testDir.Name;
        var config = testDir.Parent!.Name;
        var repo = testDir.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repo, "Broker.Host", "bin", config, tfm, "Broker.Host.dll");
        Assert.True(File.Exists(path), $"Broker.Host is not built at {path}");
        return path;
    }
}
