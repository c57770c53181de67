using System;
using Cortex.Learning;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class AgentGroupTests
{
    /// <summary>Walks a line towards a goal: observation goal − position, actions 0 = left, 1 = right; reward for progress, episode ends at the goal.</summary>
    private sealed class Walker : Agent
    {
        private readonly SeededRandom _random;
        public float Position, Goal;

        public Walker(ulong seed)
        {
            _random = new SeededRandom(seed);
            MaxStep = 30;
        }

        protected internal override void OnEpisodeBegin()
        {
            Position = 0f;
            Goal = _random.NextInt(2) == 0 ? -5f : 5f;
        }

        protected internal override void CollectObservations(Span<float> observation) => observation[0] = (Goal - Position) / 5f;

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            float before = MathF.Abs(Goal - Position);
            Position += action[0] >= 1f ? 1f : -1f;
            float after = MathF.Abs(Goal - Position);
            AddReward((before - after) * 0.1f);
            if (after < 0.5f)
            {
                AddReward(1f);
                EndEpisode();
            }
        }
    }

    private static double MeanEpisodeReward(AgentGroup group)
    {
        double sum = 0;
        foreach (Agent a in group.Agents) sum += a.LastEpisodeReward;
        return sum / group.Agents.Count;
    }

    [Test]
    public void DqnAgentsLearnWithOneBatchedCallPerStep()
    {
        using Brain brain = Brain.Create(1).Dense(16, Activation.Relu).Dense(2, Activation.Linear).Optimizer(Optimizer.Adam(0.005f)).MaxBatch(64).Build(1);
        using AgentGroup group = AgentGroup.WithDqn(brain, new DqnOptions
        {
            BatchSize = 64, BufferCapacity = 10_000, LearningStarts = 64, Gamma = 0.9f, Exploration = ExplorationSchedule.Linear(1f, 0.05f, 3_000),
        }, TrainingBudget.Updates(2), seed: 2, targetUpdateSteps: 20);
        for (int i = 0; i < 16; i++) group.Add(new Walker(100 + (ulong)i));
        var loop = new FixedStepLoop(0.02);
        for (int frame = 0; frame < 600; frame++) loop.Advance(0.02, group);
        Assert.That(group.Steps, Is.EqualTo(600));
        Assert.That(group.DecisionCalls, Is.EqualTo(group.Steps), "one batched decision per step for all 16 agents");
        Assert.That(group.CompletedEpisodes, Is.GreaterThan(100));

        group.Learning = false;   // evaluate greedily
        for (int step = 0; step < 60; step++) group.Step();
        foreach (Agent agent in group.Agents)
        {
            Assert.That(agent.LastEpisodeReward, Is.EqualTo(1.5f).Within(1e-4), "greedy walkers go straight to the goal: 5 × 0.1 + 1");
        }
    }

    [Test]
    public void ActorCriticAgentsLearn()
    {
        using Brain actor = Brain.Create(1).Dense(16, Activation.Tanh).Dense(2, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(256).Build(3);
        using Brain critic = Brain.Create(1).Dense(16, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(256).Build(4);
        using AgentGroup group = AgentGroup.WithActorCritic(actor, critic, 16, PolicyKind.Discrete, new ActorCriticOptions { RolloutLength = 8, Gamma = 0.9f }, seed: 5);
        for (int i = 0; i < 16; i++) group.Add(new Walker(200 + (ulong)i));
        for (int step = 0; step < 1500; step++) group.Step();
        Assert.Throws<InvalidOperationException>(() => group.Add(new Walker(1)));
        group.Learning = false;
        for (int step = 0; step < 60; step++) group.Step();
        Assert.That(MeanEpisodeReward(group), Is.GreaterThan(1.4), "the policy walks to the goal");
        Assert.That(group.ActorCritic!.Updates, Is.GreaterThan(100));
    }

    [Test]
    public void ActorCriticLearningCanBeSwitchedOffAndOnAgain()
    {
        using Brain actor = Brain.Create(1).Dense(8, Activation.Tanh).Dense(2, Activation.Linear).MaxBatch(64).Build(9);
        using Brain critic = Brain.Create(1).Dense(8, Activation.Tanh).Dense(1, Activation.Linear).MaxBatch(64).Build(10);
        using AgentGroup group = AgentGroup.WithActorCritic(actor, critic, 4, PolicyKind.Discrete, new ActorCriticOptions { RolloutLength = 4 }, seed: 11);
        for (int i = 0; i < 4; i++) group.Add(new Walker(500 + (ulong)i));
        for (int step = 0; step < 10; step++) group.Step();
        group.Learning = false;
        for (int step = 0; step < 3; step++) group.Step();
        group.Learning = true;
        long updates = group.ActorCritic!.Updates;
        Assert.DoesNotThrow(() => { for (int step = 0; step < 10; step++) group.Step(); });
        Assert.That(group.ActorCritic.Updates, Is.GreaterThan(updates), "learning resumes");
    }

    [Test]
    public void ADqnGroupWhoseBufferIsSmallerThanLearningStartsStillTrains()
    {
        using Brain brain = Brain.Create(1).Dense(8, Activation.Relu).Dense(2, Activation.Linear).MaxBatch(16).Build(12);
        using AgentGroup group = AgentGroup.WithDqn(brain, new DqnOptions { BatchSize = 16, BufferCapacity = 50, LearningStarts = 100 },
            TrainingBudget.Updates(1), seed: 13);
        for (int i = 0; i < 4; i++) group.Add(new Walker(600 + (ulong)i));
        for (int step = 0; step < 20; step++) group.Step();
        Assert.That(group.LastUpdates, Is.EqualTo(0), "fewer than LearningStarts transitions so far");
        for (int step = 0; step < 20; step++) group.Step();
        Assert.That(group.Dqn!.Replay.Count, Is.EqualTo(50));
        Assert.That(group.LastUpdates, Is.EqualTo(1), "100+ transitions recorded: training runs although the buffer holds 50");
    }

    [Test]
    public void InferenceGroupsFollowTheBrainAndStepsAllocateNothing()
    {
        using Brain brain = Brain.Create(1).Dense(2, Activation.Linear).MaxBatch(64).Build(6);
        brain.SetParameters(new float[] { -1f, 1f, 0f, 0f });   // right is better when the goal is to the right
        using AgentGroup group = AgentGroup.Inference(brain, discrete: true);
        var walkers = new Walker[32];
        for (int i = 0; i < walkers.Length; i++) group.Add(walkers[i] = new Walker(300 + (ulong)i));
        for (int step = 0; step < 100; step++) group.Step();
        foreach (Walker w in walkers) Assert.That(w.LastEpisodeReward, Is.EqualTo(1.5f).Within(1e-4));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 1000; step++) group.Step();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void LearningStepsAllocateNothing()
    {
        using Brain brain = Brain.Create(1).Dense(8, Activation.Relu).Dense(2, Activation.Linear).MaxBatch(32).Build(7);
        using AgentGroup group = AgentGroup.WithDqn(brain, new DqnOptions { BatchSize = 32, BufferCapacity = 1000, LearningStarts = 32 }, TrainingBudget.Updates(1), seed: 8);
        for (int i = 0; i < 8; i++) group.Add(new Walker(400 + (ulong)i));
        for (int step = 0; step < 100; step++) group.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 0; step < 1000; step++) group.Step();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void MembershipRules()
    {
        using Brain brain = Brain.Create(1).Dense(2, Activation.Linear).Build(9);
        using AgentGroup a = AgentGroup.Inference(brain, true), b = AgentGroup.Inference(brain, true);
        var walker = new Walker(1);
        a.Add(walker);
        Assert.Throws<ArgumentException>(() => b.Add(walker));
        Assert.That(a.Remove(walker), Is.True);
        Assert.That(walker.Group, Is.Null);
        b.Add(walker);
        Assert.That(b.Agents, Has.Count.EqualTo(1));
    }
}
