using System.Reflection;
using System.Runtime.InteropServices;

namespace Broker.Kafka.Internal;

/// <summary>
/// The few librdkafka entry points Broker calls itself: enough to own an <c>rd_kafka_t</c> and the
/// mock cluster that librdkafka compiles in. Everything else goes through Confluent.Kafka.
/// </summary>
internal static partial class LibRdKafka
{
    private const string Library = "librdkafka";

    static LibRdKafka()
    {
        NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, Resolve);
    }

    /// <summary>Forces the static constructor (and so the resolver) to run before the first call.</summary>
    internal static void EnsureLoaded() => _ = Version();

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        }
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var fallback)) return fallback;
        throw new DllNotFoundException(
            "librdkafka was not found next to the application (looked in: " + string.Join(", ", Candidates()) +
            "). It ships in the librdkafka.redist package that Confluent.Kafka depends on; make sure the " +
            "package's runtimes/<rid>/native folder is copied to the output.");
    }

    /// <summary>The same files Confluent.Kafka loads, so both share one loaded copy of the library.</summary>
    private static IEnumerable<string> Candidates()
    {
        var baseDir = AppContext.BaseDirectory;
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.S390x => "s390x",
            _ => "x64",
        };
        if (OperatingSystem.IsWindows())
        {
            yield return Path.Combine(baseDir, "runtimes", $"win-{arch}", "native", "librdkafka.dll");
            yield return Path.Combine(baseDir, "librdkafka.dll");
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return Path.Combine(baseDir, "runtimes", $"osx-{arch}", "native", "librdkafka.dylib");
            yield return Path.Combine(baseDir, "librdkafka.dylib");
        }
        else
        {
            yield return Path.Combine(baseDir, "runtimes", $"linux-{arch}", "native", "librdkafka.so");
            yield return Path.Combine(baseDir, "runtimes", $"linux-{arch}", "native", "centos8-librdkafka.so");
            yield return Path.Combine(baseDir, "librdkafka.so");
        }
    }

    internal const int ConfOk = 0;
    internal const int TypeProducer = 0;

    [LibraryImport(Library, EntryPoint = "rd_kafka_version_str")]
    private static partial IntPtr VersionStr();

    internal static string Version() => Marshal.PtrToStringUTF8(VersionStr()) ?? "";

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, UIntPtr errstrSize);

    /// <summary>
    /// Whether librdkafka accepts <paramref name="name"/> = <paramref name="value"/> (property known, value
    /// valid), checked on a scratch configuration without creating a client. Returns null when it does,
    /// else librdkafka's reason. Combinations of properties are only checked when a client is created.
    /// </summary>
    internal static string? CheckProperty(string name, string value)
    {
        var conf = ConfNew();
        try
        {
            var errstr = new byte[512];
            if (ConfSet(conf, name, value, errstr, (UIntPtr)errstr.Length) == ConfOk) return null;
            var end = Array.IndexOf(errstr, (byte)0);
            return System.Text.Encoding.UTF8.GetString(errstr, 0, end < 0 ? errstr.Length : end);
        }
        finally
        {
            ConfDestroy(conf);
        }
    }

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr New(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    private static partial IntPtr Err2StrPtr(int err);

    internal static string Err2Str(int err) => Marshal.PtrToStringUTF8(Err2StrPtr(err)) ?? $"error {err}";

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(IntPtr mcluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    private static partial IntPtr MockClusterBootstrapsPtr(IntPtr mcluster);

    internal static string MockClusterBootstraps(IntPtr mcluster) =>
        Marshal.PtrToStringUTF8(MockClusterBootstrapsPtr(mcluster)) ?? "";

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_delete", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicDelete(IntPtr mcluster, string topic);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(IntPtr mcluster, int brokerId);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(IntPtr mcluster, int brokerId);
}
