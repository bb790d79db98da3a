using System.CommandLine;

namespace Broker.Host;

/// <summary>Range checks for numeric command-line options, reported as usage errors.</summary>
internal static class OptionRules
{
    /// <summary>Rejects values of <paramref name="option"/> below <paramref name="min"/> or above <paramref name="max"/>.</summary>
    public static Option<T> InRange<T>(this Option<T> option, double min, double max = double.MaxValue)
    {
        option.Validators.Add(result =>
        {
            T? value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // the value did not parse: System.CommandLine already reports that as a usage error
            }
            if (value is null) return;
            var number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (number < min || number > max)
                result.AddError(max == double.MaxValue
                    ? $"{option.Name} must be at least {min}, not {value}."
                    : $"{option.Name} must be between {min} and {max}, not {value}.");
        });
        return option;
    }
}
