using System;
using System.Collections.Generic;
using Cortex.Learning;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

/// <summary>PPO on the fixed-step budget, SAC in a group, and per-episode statistics with custom values.</summary>
[TestFixture]
public sealed class AgentGroupTrainingModesTests
{
    /// <summary>Walks a line to a goal with two branches (direction: left/right/stay, stride: short/long); "stay" is masked.</summary>
    private sealed class Strider : Agent
    {
        private readonly SeededRandom _random;
        private float _position, _goal;
        public int LongStrides = -1;

        public Strider(ulong seed)
        {
            _random = new SeededRandom(seed);
            MaxStep = 20;
        }

        protected internal override void OnEpisodeBegin()
        {
            _position = 0f;
            _goal = _random.NextInt(2) == 0 ? -6f : 6f;
        }

        protected internal override void CollectObservations(Span<float> observation)
        {
            observation[0] = (_goal - _position) / 6f;
            observation[1] = _position / 6f;
        }

        protected internal override void WriteActionMask(Span<bool> masked) => masked[2] = true;

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            float before = MathF.Abs(_goal - _position);
            bool longStride = action[1] >= 1f;
            if (LongStrides >= 0 && longStride) AddEpisodeValue(LongStrides, 1f);
            float stride = longStride ? 2f : 1f;
            _position += action[0] == 1f ? stride : action[0] == 0f ? -stride : 0f;
            float after = MathF.Abs(_goal - _position);
            AddReward((before - after) * 0.1f - 0.01f);
            if (after < 0.5f)
            {
                AddReward(1f);
                EndEpisode();
            }
        }
    }

    /// <summary>One-step episodes: observe x in [−1, 1], act a in [−1, 1], reward −4(a − x/2)².</summary>
    private sealed class Tracker : Agent
    {
        private readonly SeededRandom _random;
        public float X, LastAction;

        public Tracker(ulong seed) => _random = new SeededRandom(seed);

        protected internal override void OnEpisodeBegin() => X = _random.NextFloat(-1f, 1f);

        protected internal override void CollectObservations(Span<float> observation) => observation[0] = X;

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            LastAction = action[0];
            float error = action[0] - 0.5f * X;
            AddReward(-4f * error * error);
            EndEpisode();
        }
    }

    private static Brain Network(int inputs, int outputs, ulong seed, Activation hidden, int maxBatch = 128) =>
        Brain.Create(inputs).Dense(32, hidden).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxBatch(maxBatch).Build(seed);

    private static PpoOptions StriderOptions() =>
        new() { RolloutLength = 16, Epochs = 4, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f, Gamma = 0.95f };

    private static List<Strider> AddStriders(AgentGroup group, int count, ulong seed)
    {
        var agents = new List<Strider>();
        for (int i = 0; i < count; i++) { var s = new Strider(seed + (ulong)i); agents.Add(s); group.Add(s); }
        return agents;
    }

    [Test]
    public void BudgetedPpoGroupLearnsWithinItsPerStepBudget()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using Brain actor = Network(2, spec.PolicyOutputs, 1, Activation.Tanh);
        using Brain critic = Network(2, 1, 2, Activation.Tanh);
        using AgentGroup group = AgentGroup.WithPpo(actor, critic, 8, spec, StriderOptions(), TrainingBudget.Updates(2), seed: 3);
        AddStriders(group, 8, 10);
        var statistics = new EpisodeStatistics(64);
        group.Statistics = statistics;
        int mostPerStep = 0, stepsWithUpdates = 0;
        for (int step = 0; step < 1_500; step++)
        {
            group.Step();
            mostPerStep = Math.Max(mostPerStep, group.LastUpdates);
            if (group.LastUpdates > 0) stepsWithUpdates++;
        }
        PpoLearner ppo = group.Ppo!;
        Assert.That(ppo.DeferUpdates, Is.True);
        Assert.That(mostPerStep, Is.EqualTo(2), "never more minibatch steps in a step than the budget");
        Assert.That(ppo.CatchUpSteps, Is.EqualTo(0), "8 minibatch steps per rollout at 2 per step finish long before the next rollout");
        Assert.That(ppo.Updates, Is.GreaterThan(80));
        Assert.That(ppo.MinibatchSteps, Is.EqualTo(ppo.Updates * 8 + (ppo.UpdatePending ? ppo.MinibatchSteps % 8 : 0)));
        Assert.That(stepsWithUpdates, Is.GreaterThanOrEqualTo(ppo.Updates * 4), "each update is spread over 4 steps");
        Assert.That(statistics.MeanLength(40), Is.LessThan(5.5), "episodes got short: the agents stride straight to the goal");
    }

    [Test]
    public void DeferredUpdatesCatchUpWhenTheBudgetIsTooSmall()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using Brain actor = Network(2, spec.PolicyOutputs, 1, Activation.Tanh);
        using Brain critic = Network(2, 1, 2, Activation.Tanh);
        PpoOptions options = StriderOptions();
        options.Epochs = 40;   // 80 minibatch steps per rollout of 16 steps: one per step cannot keep up
        using AgentGroup group = AgentGroup.WithPpo(actor, critic, 8, spec, options, TrainingBudget.Updates(1), seed: 3);
        AddStriders(group, 8, 10);
        for (int step = 0; step < 100; step++) group.Step();
        Assert.That(group.Ppo!.Updates, Is.GreaterThanOrEqualTo(4));
        Assert.That(group.Ppo.CatchUpSteps, Is.GreaterThan(0));
        Assert.That(group.Ppo.MinibatchSteps, Is.EqualTo(group.Ppo.Updates * 80 + (group.Ppo.UpdatePending ? group.Ppo.MinibatchSteps % 80 : 0)));
    }

    [Test]
    public void BudgetedPpoWithAnUpdateBudgetIsBitwiseDeterministic()
    {
        float[] Run()
        {
            ActionSpec spec = ActionSpec.Discrete(3, 2);
            using Brain actor = Network(2, spec.PolicyOutputs, 1, Activation.Tanh);
            using Brain critic = Network(2, 1, 2, Activation.Tanh);
            using AgentGroup group = AgentGroup.WithPpo(actor, critic, 8, spec, StriderOptions(), TrainingBudget.Updates(3), seed: 3);
            AddStriders(group, 8, 10);
            for (int step = 0; step < 300; step++) group.Step();
            Assert.That(group.Ppo!.Updates, Is.GreaterThan(10));
            float[] parameters = new float[actor.ParameterCount + critic.ParameterCount];
            actor.CopyParametersTo(parameters.AsSpan(0, actor.ParameterCount));
            critic.CopyParametersTo(parameters.AsSpan(actor.ParameterCount));
            return parameters;
        }
        Assert.That(Run(), Is.EqualTo(Run()));
    }

    [Test]
    public void SacGroupLearnsAContinuousAction()
    {
        const int agents = 4;
        using Brain actor = Network(1, 2, 1, Activation.Relu, 64);
        using Brain critic1 = Network(2, 1, 2, Activation.Relu, 64);
        using Brain critic2 = Network(2, 1, 3, Activation.Relu, 64);
        using AgentGroup group = AgentGroup.WithSac(actor, critic1, critic2, agents,
            new SacOptions { BatchSize = 64, LearningStarts = 200, UpdatesPerStep = 0.5f, TemperatureLearningRate = 3e-3f }, seed: 4);
        var trackers = new List<Tracker>();
        for (int i = 0; i < agents; i++) { var t = new Tracker(20 + (ulong)i); trackers.Add(t); group.Add(t); }
        Assert.That(group.Mode, Is.EqualTo(AgentGroupMode.Sac));
        Assert.That(group.Actions!.ContinuousSize, Is.EqualTo(1));
        Assert.Throws<InvalidOperationException>(() => group.Add(new Tracker(99)));
        for (int step = 0; step < 801; step++) group.Step();
        Assert.That(group.Sac!.Steps, Is.EqualTo(800 * agents), "every decision's transition reached the replay buffer");
        Assert.That(group.Sac.Updates, Is.GreaterThan(1000));
        group.Learning = false;
        double worst = 0;
        for (int step = 0; step < 10; step++)
        {
            group.Step();
            foreach (Tracker t in trackers) worst = Math.Max(worst, Math.Abs(t.LastAction - 0.5f * t.X));
        }
        Assert.That(worst, Is.LessThan(0.15), "the greedy action tracks x/2");
    }

    [Test]
    public void TenThousandStepsOfBudgetedPpoAndSacGroupsAllocateNothing()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using Brain actor = Network(2, spec.PolicyOutputs, 1, Activation.Tanh);
        using Brain critic = Network(2, 1, 2, Activation.Tanh);
        using AgentGroup ppo = AgentGroup.WithPpo(actor, critic, 8, spec, StriderOptions(), TrainingBudget.Updates(2), seed: 3);
        var statistics = new EpisodeStatistics(100, "long strides");
        ppo.Statistics = statistics;
        foreach (Strider s in AddStriders(ppo, 8, 10)) s.LongStrides = 0;
        using Brain sacActor = Network(1, 2, 4, Activation.Relu, 32);
        using Brain q1 = Network(2, 1, 5, Activation.Relu, 32);
        using Brain q2 = Network(2, 1, 6, Activation.Relu, 32);
        using AgentGroup sac = AgentGroup.WithSac(sacActor, q1, q2, 2, new SacOptions { BatchSize = 32, LearningStarts = 50, BufferCapacity = 1_000 }, seed: 7);
        sac.Add(new Tracker(1));
        sac.Add(new Tracker(2));
        for (int i = 0; i < 200; i++) { ppo.Step(); sac.Step(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) { ppo.Step(); sac.Step(); }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(ppo.Ppo!.Updates, Is.GreaterThan(500));
        Assert.That(sac.Sac!.Updates, Is.GreaterThan(10_000));
        Assert.That(statistics.TotalEpisodes, Is.GreaterThan(1_000));
        Assert.That(allocated, Is.EqualTo(0));
    }

    [Test]
    public void StatisticsRecordReturnLengthAndCustomValuesOfEveryEpisode()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using AgentGroup group = AgentGroup.WithHeuristic(2, spec);
        var statistics = new EpisodeStatistics(1_000, "long strides", "unused");
        int longStrides = statistics.IndexOf("long strides");
        Assert.That(longStrides, Is.EqualTo(0));
        Assert.That(statistics.IndexOf("missing"), Is.EqualTo(-1));
        var strider = new ScriptedStrider();
        group.Add(strider);
        group.Statistics = statistics;
        strider.LongStrides = longStrides;
        var seen = new List<(float reward, int length, float strides)>();
        group.EpisodeEnded += a => seen.Add((a.LastEpisodeReward, a.LastEpisodeLength, a.EpisodeValue(longStrides)));
        for (int step = 0; step < 100; step++) group.Step();
        Assert.That(statistics.TotalEpisodes, Is.EqualTo(group.CompletedEpisodes));
        Assert.That(statistics.Count, Is.EqualTo(seen.Count));
        Assert.That(seen.Count, Is.GreaterThan(10));
        for (int e = 0; e < seen.Count; e++)
        {
            Assert.That(statistics.Return(e), Is.EqualTo(seen[e].reward));
            Assert.That(statistics.Length(e), Is.EqualTo(seen[e].length));
            Assert.That(statistics.Value(e, longStrides), Is.EqualTo(seen[e].strides));
            Assert.That(statistics.Value(e, 1), Is.EqualTo(0f));
            // The scripted strider takes long strides while ≥ 2 from the goal at 6: 3 long strides, then done.
            Assert.That(statistics.Length(e), Is.EqualTo(3));
            Assert.That(statistics.Value(e, longStrides), Is.EqualTo(3f), "the custom value is per episode (cleared between episodes)");
        }
        Assert.That(statistics.MeanValue(longStrides, 5), Is.EqualTo(3.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => strider.SetEpisodeValue(2, 1f));
    }

    [Test]
    public void StatisticsKeepTheLastEpisodesInARing()
    {
        var statistics = new EpisodeStatistics(3, "a");
        Assert.That(statistics.MeanReturn(10), Is.NaN);
        for (int e = 1; e <= 5; e++) statistics.Add(e, e * 10, new[] { e * 100f });
        Assert.That(statistics.Count, Is.EqualTo(3));
        Assert.That(statistics.TotalEpisodes, Is.EqualTo(5));
        Assert.That(statistics.Return(0), Is.EqualTo(3f));
        Assert.That(statistics.Return(2), Is.EqualTo(5f));
        Assert.That(statistics.Length(1), Is.EqualTo(40));
        Assert.That(statistics.Value(2, 0), Is.EqualTo(500f));
        Assert.That(statistics.MeanReturn(2), Is.EqualTo(4.5).Within(1e-12));
        Assert.That(statistics.MeanLength(10), Is.EqualTo(40.0).Within(1e-12));
        Assert.That(statistics.MeanValue(0, 3), Is.EqualTo(400.0).Within(1e-12));
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.Return(3));
        Assert.Throws<ArgumentException>(() => _ = new EpisodeStatistics(3, "a", "a"));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new EpisodeStatistics(0));
    }

    /// <summary>A heuristic strider that always walks right to a goal at 6 with long strides while far.</summary>
    private sealed class ScriptedStrider : Agent
    {
        private float _position;
        public int LongStrides = -1;

        protected internal override void OnEpisodeBegin() => _position = 0f;

        protected internal override void CollectObservations(Span<float> observation)
        {
            observation[0] = (6f - _position) / 6f;
            observation[1] = _position / 6f;
        }

        protected internal override void Heuristic(Span<float> actionsOut)
        {
            actionsOut[0] = 1f;
            actionsOut[1] = 6f - _position >= 2f ? 1f : 0f;
        }

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            bool longStride = action[1] >= 1f;
            if (longStride && LongStrides >= 0) AddEpisodeValue(LongStrides, 1f);
            _position += longStride ? 2f : 1f;
            AddReward(1f);
            if (_position >= 6f) EndEpisode();
        }
    }
}
