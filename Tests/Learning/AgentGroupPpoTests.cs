using System;
using System.Collections.Generic;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class AgentGroupPpoTests
{
    /// <summary>
    /// Walks a line toward a goal with two branches: branch 0 = direction (0 left, 1 right, 2 stay),
    /// branch 1 = stride (0 short, 1 long). "Stay" is masked every decision. Its heuristic walks straight to the goal.
    /// </summary>
    private sealed class Strider : Agent
    {
        private readonly SeededRandom _random;
        public float Position, Goal;
        public int Actions, Decisions;
        public bool SawMaskedAction;

        public Strider(ulong seed)
        {
            _random = new SeededRandom(seed);
            MaxStep = 20;
        }

        protected internal override void OnEpisodeBegin()
        {
            Position = 0f;
            Goal = _random.NextInt(2) == 0 ? -6f : 6f;
        }

        protected internal override void CollectObservations(Span<float> observation)
        {
            observation[0] = (Goal - Position) / 6f;
            observation[1] = Position / 6f;
        }

        protected internal override void WriteActionMask(Span<bool> masked) => masked[2] = true;

        protected internal override void OnActionReceived(ReadOnlySpan<float> action)
        {
            Actions++;
            if (action[0] == 2f) SawMaskedAction = true;
            float before = MathF.Abs(Goal - Position);
            float stride = action[1] >= 1f ? 2f : 1f;
            Position += action[0] == 1f ? stride : action[0] == 0f ? -stride : 0f;
            float after = MathF.Abs(Goal - Position);
            AddReward((before - after) * 0.1f - 0.01f);
            if (after < 0.5f)
            {
                AddReward(1f);
                EndEpisode();
            }
        }

        protected internal override void Heuristic(Span<float> actionsOut)
        {
            Decisions++;
            actionsOut[0] = Goal > Position ? 1f : 0f;
            actionsOut[1] = MathF.Abs(Goal - Position) >= 2f ? 1f : 0f;
        }
    }

    private static Brain Network(int outputs, ulong seed) =>
        Brain.Create(2).Dense(32, Activation.Tanh).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxBatch(128).Build(seed);

    [Test]
    public void PpoGroupLearnsTwoBranchesAndNeverTakesAMaskedAction()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using Brain actor = Network(spec.PolicyOutputs, 1);
        using Brain critic = Network(1, 2);
        using AgentGroup group = AgentGroup.WithPpo(actor, critic, 8, spec, new PpoOptions { RolloutLength = 16, Epochs = 4, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f, Gamma = 0.95f }, seed: 3);
        var agents = new List<Strider>();
        for (int i = 0; i < 8; i++) { var s = new Strider(10 + (ulong)i); agents.Add(s); group.Add(s); }
        var lengths = new List<int>();
        group.EpisodeEnded += a => lengths.Add(a.LastEpisodeLength);
        for (int step = 0; step < 1_500; step++) group.Step();
        Assert.That(group.DecisionCalls, Is.EqualTo(1_500), "one batched decision per step");
        Assert.That(group.Ppo!.Updates, Is.GreaterThan(80));
        foreach (Strider s in agents) Assert.That(s.SawMaskedAction, Is.False, "a masked action reached an agent");
        Assert.That(lengths.Count, Is.EqualTo((int)group.CompletedEpisodes), "the hook saw every episode end");
        double recent = 0;
        for (int i = lengths.Count - 40; i < lengths.Count; i++) recent += lengths[i];
        Assert.That(recent / 40, Is.LessThan(5.5), "episodes got short: the agents stride straight to the goal (3 long strides)");
    }

    [Test]
    public void HeuristicGroupRecordsADemonstrationWithADecisionPeriod()
    {
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using AgentGroup group = AgentGroup.WithHeuristic(2, spec);
        var recorder = new DemonstrationRecorder(2, spec);
        group.Recorder = recorder;
        group.DecisionPeriod = 2;
        var agents = new List<Strider>();
        for (int i = 0; i < 3; i++) { var s = new Strider(20 + (ulong)i); agents.Add(s); group.Add(s); }
        for (int step = 0; step < 200; step++) group.Step();
        Assert.That(group.DecisionCalls, Is.EqualTo(100), "decisions every second step");
        foreach (Strider s in agents)
        {
            Assert.That(s.Decisions, Is.EqualTo(100));
            // 100 decided actions, plus the repeat on every in-between step unless the episode just ended.
            Assert.That(s.Actions, Is.GreaterThan(130).And.LessThanOrEqualTo(200), "the action is repeated between decisions");
        }
        recorder.DiscardUnfinishedEpisode();
        Demonstration demo = recorder.ToDemonstration("heuristic striders");
        Assert.That(demo.Episodes, Is.EqualTo((int)group.CompletedEpisodes));
        Assert.That(demo.Episodes, Is.GreaterThan(10));
        Assert.That(demo.MeanEpisodeReturn(), Is.GreaterThan(1f), "the heuristic reaches the goal");
        Assert.Throws<InvalidOperationException>(() => _ = group.Brain);
        Assert.Throws<ArgumentOutOfRangeException>(() => group.DecisionPeriod = 0);
    }
}
