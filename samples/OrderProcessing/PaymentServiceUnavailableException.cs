namespace OrderProcessing;

/// <summary>The simulated payment service is in its outage window.</summary>
public sealed class PaymentServiceUnavailableException(string message) : Exception(message);
