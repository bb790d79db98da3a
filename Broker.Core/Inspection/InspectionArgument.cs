namespace Broker.Inspection;

/// <summary>One argument of an inspection command.</summary>
/// <param name="Name">A positional argument's name (<c>address</c>), or an option's name without dashes (<c>from</c> for <c>--from</c>).</param>
/// <param name="ValueName">How usage shows the value: <c>&lt;address&gt;</c> or <c>--from OFFSET</c>.</param>
/// <param name="Description">What it means, with its unit and default.</param>
/// <param name="IsOption">True for <c>--name VALUE</c> options (optional); false for positional arguments (required, in order).</param>
/// <param name="IsInteger">True when the value must be a whole number of at least 0.</param>
public sealed record InspectionArgument(string Name, string ValueName, string Description, bool IsOption, bool IsInteger)
{
    /// <summary>How the argument appears in a usage line: <c>&lt;address&gt;</c> or <c>[--from OFFSET]</c>.</summary>
    public string Usage => IsOption ? $"[--{Name} {ValueName}]" : $"<{Name}>";
}
