namespace Broker.Inspection;

/// <summary>
/// The <see cref="InspectionClient"/> could not talk to the node: nothing listens at the address, the connection
/// failed or timed out, or the answer was not Broker's protocol. A node that answers with an error does not throw:
/// see <see cref="InspectionReply.Ok"/>.
/// </summary>
public sealed class InspectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InspectionException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
