using System.Diagnostics;

namespace Broker.Tests.Support;

/// <summary>Runs the built Broker.Host as an operator would: a process with arguments, its exit code, stdout and stderr apart.</summary>
public static class HostProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(args, []);

    /// <summary>Runs Broker.Host with <paramref name="args"/> and these environment variables set.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostAssembly());
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("Broker__Inspection__Token"); // the CLI's default token; each test passes its own
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
            throw new TimeoutException($"Broker.Host {string.Join(' ', args)} did not exit within {Timeout}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Broker.Host.dll built in the same configuration as this test assembly.</summary>
    public static string HostAssembly()
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
