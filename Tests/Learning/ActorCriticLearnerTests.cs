using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class ActorCriticLearnerTests
{
    [Test]
    public void DiscretePolicyLearnsAContextualBandit()
    {
        const int agents = 32;
        using Brain actor = Brain.Create(2).Dense(16, Activation.Tanh).Dense(2, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(256).Build(1);
        using Brain critic = Brain.Create(2).Dense(16, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(256).Build(2);
        var learner = new ActorCriticLearner(actor, critic, agents, PolicyKind.Discrete, new ActorCriticOptions { RolloutLength = 8 }, seed: 3);
        var random = new SeededRandom(4);
        float[] observations = new float[agents * 2], actions = new float[agents], rewards = new float[agents];
        bool[] done = new bool[agents];
        Array.Fill(done, true);
        int[] context = new int[agents];
        for (int step = 0; step < 400; step++)
        {
            Array.Clear(observations);
            for (int a = 0; a < agents; a++) { context[a] = random.NextInt(2); observations[a * 2 + context[a]] = 1f; }
            learner.Act(observations, actions);
            for (int a = 0; a < agents; a++) rewards[a] = (int)actions[a] == context[a] ? 1f : 0f;
            learner.Record(rewards, done);
        }
        Assert.That(learner.Updates, Is.GreaterThan(40));
        float[] probe = { 1f, 0f, 0f, 1f }, greedy = new float[agents];
        float[] batch = new float[agents * 2];
        probe.CopyTo(batch, 0);
        learner.Act(batch, greedy, explore: false);
        Assert.That(greedy[0], Is.EqualTo(0f));
        Assert.That(greedy[1], Is.EqualTo(1f));
        Assert.That(learner.LastEntropy, Is.LessThan(0.5f), "the policy became confident");
    }

    [Test]
    public void GaussianPolicyLearnsToHitATarget()
    {
        const int agents = 64;
        using Brain actor = Brain.Create(1).Dense(16, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.005f)).MaxBatch(256).Build(5);
        using Brain critic = Brain.Create(1).Dense(16, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(256).Build(6);
        var learner = new ActorCriticLearner(actor, critic, agents, PolicyKind.Gaussian,
            new ActorCriticOptions { RolloutLength = 4, EntropyCoefficient = 0f, LogStdLearningRate = 0.02f }, seed: 7);
        var random = new SeededRandom(8);
        float[] observations = new float[agents], actions = new float[agents], rewards = new float[agents];
        bool[] done = new bool[agents];
        Array.Fill(done, true);
        for (int step = 0; step < 1200; step++)
        {
            for (int a = 0; a < agents; a++) observations[a] = random.NextFloat(-1f, 1f);
            learner.Act(observations, actions);
            for (int a = 0; a < agents; a++) rewards[a] = -(actions[a] - 0.5f * observations[a]) * (actions[a] - 0.5f * observations[a]);
            learner.Record(rewards, done);
        }
        for (int a = 0; a < agents; a++) observations[a] = -1f + 2f * a / (agents - 1);
        learner.Act(observations, actions, explore: false);
        double error = 0;
        for (int a = 0; a < agents; a++) error = Math.Max(error, Math.Abs(actions[a] - 0.5f * observations[a]));
        Assert.That(error, Is.LessThan(0.1), "the mean action tracks the target 0.5·x");
        Assert.That(learner.LogStd[0], Is.LessThan(-0.5f), "σ shrank as the policy improved");
    }

    [Test]
    public void ActAndRecordAllocateNothing()
    {
        const int agents = 16;
        using Brain actor = Brain.Create(3).Dense(8, Activation.Tanh).Dense(2, Activation.Linear).MaxBatch(64).Build(1);
        using Brain critic = Brain.Create(3).Dense(8, Activation.Tanh).Dense(1, Activation.Linear).MaxBatch(64).Build(2);
        var learner = new ActorCriticLearner(actor, critic, agents, PolicyKind.Gaussian, new ActorCriticOptions { RolloutLength = 8 }, seed: 3);
        float[] observations = new float[agents * 3], actions = new float[agents * 2], rewards = new float[agents];
        bool[] done = new bool[agents];
        for (int i = 0; i < 40; i++) { learner.Act(observations, actions); learner.Record(rewards, done); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) { learner.Act(observations, actions); learner.Record(rewards, done); }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void ValidatesItsInputs()
    {
        using Brain actor = Brain.Create(3).Dense(2, Activation.Linear).Build(1);
        using Brain critic = Brain.Create(3).Dense(1, Activation.Linear).Build(2);
        using Brain wide = Brain.Create(3).Dense(2, Activation.Linear).Build(2);
        Assert.Throws<ArgumentException>(() => new ActorCriticLearner(actor, wide, 4, PolicyKind.Discrete, null, 1));
        var learner = new ActorCriticLearner(actor, critic, 4, PolicyKind.Discrete, null, 1);
        Assert.Throws<ArgumentException>(() => learner.Act(new float[11], new float[4]));
        Assert.Throws<InvalidOperationException>(() => learner.Record(new float[4], new bool[4]));
    }
}
