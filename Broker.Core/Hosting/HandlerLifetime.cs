namespace Broker.Hosting;

/// <summary>How handler instances are obtained from the service provider.</summary>
public enum HandlerLifetime
{
    /// <summary>Default. A new DI scope per record; the handler and its scoped dependencies live for one call.</summary>
    Scoped,

    /// <summary>
    /// One instance per consumer per node, shared by every key: it must be thread-safe, because keys are
    /// handled in parallel. Cheapest.
    /// </summary>
    Singleton,
}
