using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Broker.Processing.Internal;

namespace Broker.Tests.Processing;

/// <summary>The bounded entity mailboxes: a message that does not fit is counted and dead-lettered, never blocks.</summary>
/// <remarks>In the Kafka collection so its deliberate overflows never run beside a test asserting there are none.</remarks>
[Collection(Support.KafkaCollection.Name)]
public sealed class EntityMailboxSpec() : TestKit(ConfigurationFactory.ParseString("""
    keyed { mailbox-type = "Broker.Processing.Internal.EntityMailbox, Broker.Core", mailbox-capacity = 3 }
    owner { mailbox-type = "Broker.Processing.Internal.EntityMailbox, Broker.Core", mailbox-capacity = 3, kind = owner }
    """))
{
    [Theory]
    [InlineData("keyed")]
    [InlineData("owner")]
    public void A_full_mailbox_counts_and_dead_letters_what_does_not_fit_and_keeps_order(string mailbox)
    {
        var gate = new ManualResetEventSlim(false);
        var actor = Sys.ActorOf(Props.Create(() => new Blocking(gate, TestActor)).WithMailbox(mailbox));
        actor.Tell("block");
        ExpectMsg("blocked"); // the actor now holds its thread until the gate opens: nothing leaves its mailbox
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        var before = MailboxOverflow.Count;

        for (var i = 0; i < 5; i++) actor.Tell(i); // capacity 3: two do not fit

        ExpectMsg<DeadLetter>(d => Equals(d.Message, 3));
        ExpectMsg<DeadLetter>(d => Equals(d.Message, 4));
        Assert.True(MailboxOverflow.Count - before >= 2);
        gate.Set();
        ExpectMsg(0);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private sealed class Blocking : ReceiveActor
    {
        public Blocking(ManualResetEventSlim gate, IActorRef probe)
        {
            Receive<string>(_ =>
            {
                probe.Tell("blocked");
                gate.Wait(TimeSpan.FromSeconds(30));
            });
            Receive<int>(i => probe.Tell(i));
        }
    }
}
