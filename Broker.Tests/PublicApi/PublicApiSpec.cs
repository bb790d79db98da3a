using System.Reflection;
using System.Text;
using Broker.Hosting;

namespace Broker.Tests.PublicApi;

/// <summary>
/// Broker.Core's public surface, compared with the approved listing next to this file, so that every change
/// to it shows up in review. After an intended change, copy the received file over the approved one.
/// </summary>
public sealed class PublicApiSpec
{
    [Fact]
    public void Public_api_matches_the_approved_listing()
    {
        var received = Describe(typeof(BrokerBuilder).Assembly);
        var approvedPath = Path.Combine(SourceDirectory(), "Broker.Core.approved.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (received == approved) return;
        var receivedPath = Path.Combine(SourceDirectory(), "Broker.Core.received.txt");
        File.WriteAllText(receivedPath, received);
        Assert.Fail($"Broker.Core's public API changed. Review {receivedPath} and, if intended, copy it over {approvedPath}.");
    }

    private static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(Name(type));
            if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)) text.Append(" : ").Append(Name(b));
            text.Append('\n');
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = type.GetMembers(flags)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Where(m => !(type.IsEnum && m.Name == "value__"))
                .Select(Member)
                .Where(m => m is not null)
                .OrderBy(m => m, StringComparer.Ordinal);
            foreach (var m in members) text.Append("  ").Append(m).Append('\n');
        }
        return text.ToString();
    }

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : "class";

    private static string? Member(MemberInfo m) => m switch
    {
        ConstructorInfo c => $"ctor({Params(c.GetParameters())})",
        MethodInfo { Name: "<Clone>$" } => null,
        MethodInfo mi => $"{(mi.IsStatic ? "static " : "")}{Name(mi.ReturnType)} {mi.Name}{Generics(mi)}({Params(mi.GetParameters())})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? "set; " : "")}}}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        Type nested => $"nested {Name(nested)}",
        _ => m.ToString(),
    };

    private static string Generics(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Params(ParameterInfo[] ps) => string.Join(", ", ps.Select(p => $"{Name(p.ParameterType)} {p.Name}"));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (t.IsByRef) return "ref " + Name(t.GetElementType()!);
        var name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.Namespace + "." + t.Name;
        if (!t.IsGenericType) return name;
        return name[..name.IndexOf('`')] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
