using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class DqnLearnerTests
{
    // A contextual bandit: the observation says which of 3 actions pays 1; the others pay 0. Episodes last one step.
    private static DqnLearner Bandit(ulong seed, int threads = 1)
    {
        Brain brain = Brain.Create(3).Dense(16, Activation.Relu).Dense(3, Activation.Linear)
            .Optimizer(Optimizer.Adam(0.01f)).MaxBatch(32).Threads(threads).Build(seed);
        return new DqnLearner(brain, new DqnOptions
        {
            BatchSize = 32, BufferCapacity = 1000, LearningStarts = 64, TrainEvery = 1, GradientSteps = 1, TargetUpdateInterval = 50,
            Exploration = ExplorationSchedule.Linear(1f, 0.1f, 500),
        }, seed);
    }

    private static void Run(DqnLearner learner, int steps, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] observation = new float[3], next = new float[3];
        for (int i = 0; i < steps; i++)
        {
            Array.Clear(observation);
            int context = random.NextInt(3);
            observation[context] = 1f;
            int action = learner.SelectAction(observation);
            learner.Observe(observation, action, action == context ? 1f : 0f, next, terminal: true);
        }
    }

    [Test]
    public void LearnsAContextualBandit()
    {
        using DqnLearner learner = Bandit(1);
        Run(learner, 1500, seed: 2);
        Assert.That(learner.Updates, Is.GreaterThan(1000));
        for (int context = 0; context < 3; context++)
        {
            float[] observation = new float[3];
            observation[context] = 1f;
            Assert.That(learner.SelectAction(observation, explore: false), Is.EqualTo(context), $"context {context}");
        }
        learner.Online.Dispose();
    }

    [Test]
    public void SameSeedSameNetworkForAnyThreadCount()
    {
        float[] Train(int threads)
        {
            using DqnLearner learner = Bandit(3, threads);
            Run(learner, 400, seed: 4);
            float[] theta = new float[learner.Online.ParameterCount];
            learner.Online.CopyParametersTo(theta);
            learner.Online.Dispose();
            return theta;
        }
        Assert.That(Train(2), Is.EqualTo(Train(1)));
    }

    [Test]
    public void AGradientStepAllocatesNothing()
    {
        using DqnLearner learner = Bandit(5);
        Run(learner, 200, seed: 6);
        learner.TrainStep();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) learner.TrainStep();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        learner.Online.Dispose();
    }

    [Test]
    public void RejectsBadOptions()
    {
        using Brain brain = Brain.Create(3).Dense(3, Activation.Linear).MaxBatch(16).Build(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DqnLearner(brain, new DqnOptions { BatchSize = 32 }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DqnLearner(brain, new DqnOptions { BatchSize = 16, Gamma = 2f }, 1));
        using Brain single = Brain.Create(3).Dense(1, Activation.Linear).Build(1);
        Assert.Throws<ArgumentException>(() => new DqnLearner(single, new DqnOptions { BatchSize = 16 }, 1));
    }
}
