using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class SacLearnerTests
{
    private static Brain Network(int inputs, int outputs, ulong seed, int maxBatch = 64) =>
        Brain.Create(inputs).Dense(32, Activation.Relu).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxBatch(maxBatch).Build(seed);

    [Test]
    public void LearnsToTrackATargetAction()
    {
        const int agents = 4;
        using Brain actor = Network(1, 2, 1);
        using Brain critic1 = Network(2, 1, 2);
        using Brain critic2 = Network(2, 1, 3);
        using var learner = new SacLearner(actor, critic1, critic2, agents, new SacOptions { BatchSize = 64, LearningStarts = 200, UpdatesPerStep = 0.5f, TemperatureLearningRate = 3e-3f }, seed: 4);
        var random = new SeededRandom(5);
        float[] observations = new float[agents], actions = new float[agents], rewards = new float[agents];
        bool[] terminated = new bool[agents];
        Array.Fill(terminated, true);   // one-step episodes: the best action is a = 0.5·x
        for (int step = 0; step < 800; step++)
        {
            for (int a = 0; a < agents; a++) observations[a] = random.NextFloat(-1f, 1f);
            learner.Act(observations, actions);
            for (int a = 0; a < agents; a++) rewards[a] = -4f * (actions[a] - 0.5f * observations[a]) * (actions[a] - 0.5f * observations[a]);
            learner.Record(rewards, observations, terminated);
        }
        Assert.That(learner.Updates, Is.GreaterThan(1000));
        for (int a = 0; a < agents; a++) observations[a] = -0.9f + 0.6f * a;
        learner.Act(observations, actions, explore: false);
        for (int a = 0; a < agents; a++) Assert.That(actions[a], Is.EqualTo(0.5f * observations[a]).Within(0.12), $"agent {a} at x = {observations[a]}");
        Assert.That(learner.Temperature, Is.LessThan(1f), "the temperature tuned itself down from 1");
    }

    [Test]
    public void TenThousandTicksWithLearningAllocateNothing()
    {
        using Brain actor = Network(3, 2, 1, maxBatch: 16);
        using Brain critic1 = Network(4, 1, 2, maxBatch: 16);
        using Brain critic2 = Network(4, 1, 3, maxBatch: 16);
        using var learner = new SacLearner(actor, critic1, critic2, 1, new SacOptions { BatchSize = 16, BufferCapacity = 2_000, LearningStarts = 50, UpdatesPerStep = 0.5f }, seed: 4);
        float[] observation = new float[3], next = new float[3], action = new float[1], reward = new float[1];
        bool[] terminated = new bool[1];
        void Tick(int i)
        {
            for (int k = 0; k < 3; k++) observation[k] = ((i + k) % 9) * 0.1f - 0.4f;
            learner.Act(observation, action);
            reward[0] = -action[0] * action[0];
            for (int k = 0; k < 3; k++) next[k] = observation[k] + 0.01f;
            terminated[0] = i % 40 == 0;
            learner.Record(reward, next, terminated);
        }
        for (int i = 0; i < 200; i++) Tick(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 200; i < 10_200; i++) Tick(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(learner.Updates, Is.GreaterThan(4_900), "the measured ticks include the gradient steps");
        Assert.That(allocated, Is.EqualTo(0));
    }

    [Test]
    public void SameSeedGivesBitwiseIdenticalLearning()
    {
        (float[] actor, float[] critic, float alpha) Run()
        {
            using Brain actor = Network(2, 4, 11, maxBatch: 32);
            using Brain critic1 = Network(4, 1, 12, maxBatch: 32);
            using Brain critic2 = Network(4, 1, 13, maxBatch: 32);
            using var learner = new SacLearner(actor, critic1, critic2, 3, new SacOptions { BatchSize = 32, LearningStarts = 40, UpdatesPerStep = 1f }, seed: 14);
            var random = new SeededRandom(15);
            float[] observations = new float[6], next = new float[6], actions = new float[6], rewards = new float[3];
            bool[] terminated = new bool[3];
            for (int step = 0; step < 150; step++)
            {
                for (int k = 0; k < 6; k++) observations[k] = random.NextFloat(-1f, 1f);
                learner.Act(observations, actions);
                for (int a = 0; a < 3; a++) { rewards[a] = actions[a * 2] - actions[a * 2 + 1] * observations[a * 2]; terminated[a] = random.NextFloat() < 0.1f; }
                for (int k = 0; k < 6; k++) next[k] = random.NextFloat(-1f, 1f);
                learner.Record(rewards, next, terminated);
            }
            float[] pa = new float[actor.ParameterCount], pc = new float[critic1.ParameterCount];
            actor.CopyParametersTo(pa);
            learner.Target1.CopyParametersTo(pc);
            return (pa, pc, learner.Temperature);
        }
        var first = Run();
        var second = Run();
        Assert.That(second.actor, Is.EqualTo(first.actor));
        Assert.That(second.critic, Is.EqualTo(first.critic));
        Assert.That(second.alpha, Is.EqualTo(first.alpha));
    }

    [Test]
    public void ValidatesItsInputs()
    {
        using Brain actor = Network(3, 2, 1);
        using Brain odd = Network(3, 3, 1);
        using Brain critic = Network(4, 1, 2);
        using Brain critic2 = Network(4, 1, 3);
        using Brain wrong = Network(3, 1, 4);
        Assert.Throws<ArgumentException>(() => new SacLearner(odd, critic, critic2, 1, null, 1), "odd actor outputs");
        Assert.Throws<ArgumentException>(() => new SacLearner(actor, wrong, critic2, 1, null, 1), "critic inputs must be observation + action");
        Assert.Throws<ArgumentException>(() => new SacLearner(actor, critic, critic, 1, new SacOptions { BatchSize = 32 }, 1), "two distinct critics");
        Assert.Throws<ArgumentException>(() => new SacLearner(actor, critic, critic2, 1, null, 1), "MaxBatch 64 below the default batch 256");
        Assert.Throws<ArgumentOutOfRangeException>(() => new SacLearner(actor, critic, critic2, 1, new SacOptions { BatchSize = 32, Tau = 0f }, 1));
        using var learner = new SacLearner(actor, critic, critic2, 2, new SacOptions { BatchSize = 32 }, 1);
        Assert.Throws<ArgumentException>(() => learner.Act(new float[5], new float[2]));
        Assert.Throws<InvalidOperationException>(() => learner.Record(new float[2], new float[6], new bool[2]));
    }
}
