using System.Diagnostics;
using Confluent.Kafka;

namespace Broker.Bench;

/// <summary>An embedded Kafka in a process of its own: Broker.Host's <c>kafka</c> verb, built next to this project.</summary>
internal sealed class KafkaProcess : IDisposable
{
    private readonly Process _process;
    private readonly string[] _topics;

    private KafkaProcess(Process process, string bootstrap, string[] topics)
    {
        _process = process;
        Bootstrap = bootstrap;
        _topics = topics;
    }

    public string Bootstrap { get; }
    public int Pid => _process.Id;

    public static KafkaProcess Start(string[] topics, int partitions)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostAssembly());
        info.ArgumentList.Add("kafka");
        foreach (var t in topics) { info.ArgumentList.Add("--topic"); info.ArgumentList.Add(t); }
        info.ArgumentList.Add("--partitions");
        info.ArgumentList.Add(partitions.ToString());
        var process = Process.Start(info)!;
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith("bootstrap: ", StringComparison.Ordinal))
                return new KafkaProcess(process, line["bootstrap: ".Length..].Trim(), topics);
        throw new InvalidOperationException("Broker.Host kafka exited without printing its bootstrap address: " + process.StandardError.ReadToEnd());
    }

    /// <summary>Fails when a partition's low watermark is above 0: the mock dropped records (5 MiB per partition).</summary>
    public void AssertNothingDropped()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "watermarks" }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        foreach (var topic in _topics)
            foreach (var p in admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions)
            {
                var low = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).Low.Value;
                if (low > 0) throw new InvalidOperationException($"The embedded Kafka dropped records of {topic}/{p.PartitionId} (starts at {low}): use more partitions.");
            }
    }

    private static string HostAssembly()
    {
        var benchDir = new DirectoryInfo(AppContext.BaseDirectory); // bench/Broker.Bench/bin/<config>/<tfm>/
        var tfm = benchDir.Name;
        var config = benchDir.Parent!.Name;
        var repo = benchDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repo, "Broker.Host", "bin", config, tfm, "Broker.Host.dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"Build Broker.Host first ({path} is missing): dotnet build -c {config} Broker.Host");
        return path;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
