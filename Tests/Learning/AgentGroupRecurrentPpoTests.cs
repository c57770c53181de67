using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class AgentGroupRecurrentPpoTests
{
    /// <summary>Shows a cue bit at the episode's first decision, blanks for <c>Delay</c> decisions, then asks; the answer pays 1 when it names the cue.</summary>
    private sealed class CueAgent : Agent
    {
        private const int Delay = 2;
        private readonly SeededRandom _random;
        private int _cue, _step;
        public int Answered, Right;

        public CueAgent(ulong seed) => _random = new SeededRandom(seed);

        protected internal override void OnEpisodeBegin()
        {
            _cue = _random.NextInt(2);
            _step = 0;
        }

        protected internal override void CollectObservations(Span<float> observation)
        {
            observation[0] = _step == 0 ? (_cue == 1 ? 1f : -1f) : 0f;
            observation[1] = _step == 0 ? 1f : _step == Delay + 1 ? -1f : 0f;
        }

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            if (_step++ < Delay + 1) return;
            Answered++;
            if ((int)action[0] == _cue)
            {
                Right++;
                AddReward(1f);
            }
            EndEpisode();
        }
    }

    private static RecurrentBrain Network(int outputs, ulong seed) =>
        Brain.Create(2).Gru(16).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxAgents(16).MaxSequence(12).Build(seed);

    private static PpoOptions Options() => new()
    {
        RolloutLength = 16, SequenceLength = 8, BurnIn = 4, Epochs = 4, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f, Gamma = 0.9f, Lambda = 0.9f,
    };

    private static (AgentGroup Group, CueAgent[] Agents) Group(RecurrentBrain actor, RecurrentBrain critic, int count)
    {
        AgentGroup group = AgentGroup.WithRecurrentPpo(actor, critic, count, ActionSpec.Discrete(2), Options(), seed: 5);
        var agents = new CueAgent[count];
        for (int i = 0; i < count; i++) group.Add(agents[i] = new CueAgent(20 + (ulong)i));
        return (group, agents);
    }

    [Test]
    public void ARecurrentGroupLearnsToAnswerTheCue()
    {
        using RecurrentBrain actor = Network(2, 1);
        using RecurrentBrain critic = Network(1, 2);
        (AgentGroup group, CueAgent[] agents) = Group(actor, critic, 16);
        using (group)
        {
            for (int step = 0; step < 2_000; step++) group.Step();
            foreach (CueAgent agent in agents) agent.Answered = agent.Right = 0;
            for (int step = 0; step < 400; step++) group.Step();
            int answered = 0, right = 0;
            foreach (CueAgent agent in agents) { answered += agent.Answered; right += agent.Right; }
            Assert.That(group.Mode, Is.EqualTo(AgentGroupMode.RecurrentPpo));
            Assert.That(group.DecisionCalls, Is.EqualTo(2_400));
            Assert.That(group.RecurrentPpo!.Updates, Is.GreaterThan(100));
            Assert.That((double)right / answered, Is.GreaterThan(0.9), $"{right} of {answered} (chance is 0.5)");
            Assert.That(() => group.Brain, Throws.InvalidOperationException);
        }
    }

    [Test]
    public void TheGroupsTickAllocatesNothingOverTenThousandTicks()
    {
        using RecurrentBrain actor = Network(2, 1);
        using RecurrentBrain critic = Network(1, 2);
        (AgentGroup group, _) = Group(actor, critic, 16);
        using (group)
        {
            for (int step = 0; step < 40; step++) group.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int step = 0; step < 10_000; step++) group.Step();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(allocated, Is.EqualTo(0));
            Assert.That(group.RecurrentPpo!.Updates, Is.EqualTo(10_039 / 16));
        }
    }

    [Test]
    public void WithLearningOffAnEpisodeEndStillClearsTheMemory()
    {
        using RecurrentBrain actor = Network(2, 1);
        using RecurrentBrain critic = Network(1, 2);
        (AgentGroup group, _) = Group(actor, critic, 2);
        using (group)
        {
            group.Learning = false;
            for (int step = 0; step < 4; step++) group.Step();   // first decisions: cue, blank, blank, answer (the episode ends)
            group.Step();                                        // closes it: memory cleared, then the new episode's first decision
            int h = actor.StateWidth;
            float[] fresh = new float[h], outputs = new float[2];
            var probe = new CueAgent(20);                        // agent 0's seed: its second episode shows the same cue
            var observation = new float[2];
            probe.OnEpisodeBegin();
            probe.OnEpisodeBegin();
            probe.CollectObservations(observation);
            actor.Think(observation, fresh, outputs, 1);
            Assert.That(group.RecurrentPpo!.ActorState.Slice(0, h).ToArray(), Is.EqualTo(fresh));
            Assert.That(group.RecurrentPpo!.Steps, Is.EqualTo(0), "nothing recorded");
        }
    }
}
