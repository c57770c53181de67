using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class RecurrentPpoLearnerTests
{
    private static RecurrentBrain Network(int inputs, int outputs, ulong seed, int units = 16, int maxAgents = 16, int maxSteps = 12) =>
        Brain.Create(inputs).Gru(units).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f))
            .MaxAgents(maxAgents).MaxSequence(maxSteps).Build(seed);

    private static PpoOptions Options() => new()
    {
        RolloutLength = 16, SequenceLength = 8, BurnIn = 4, Epochs = 4, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f,
        Gamma = 0.9f, Lambda = 0.9f,
    };

    /// <summary>
    /// The cue task: an episode shows a cue bit (observation [±1, 1]) at its first step, then [0, 0] for
    /// "delay" steps, then asks ([0, −1]); the answer step pays 1 when the action names the cue, and ends
    /// the episode. Nothing in the asking observation tells the cue, so only memory beats chance.
    /// </summary>
    private sealed class CueTask
    {
        private readonly int _agents, _delay;
        private readonly int[] _cue, _step;
        private readonly SeededRandom _random;

        public CueTask(int agents, int delay, ulong seed)
        {
            _agents = agents;
            _delay = delay;
            _cue = new int[agents];
            _step = new int[agents];
            _random = new SeededRandom(seed);
            for (int a = 0; a < agents; a++)
            {
                _cue[a] = _random.NextInt(2);
                _step[a] = a % (delay + 2);   // agents out of phase: episode starts fall everywhere in the sequences
            }
        }

        public void Observe(Span<float> observations)
        {
            for (int a = 0; a < _agents; a++)
            {
                observations[a * 2] = _step[a] == 0 ? (_cue[a] == 1 ? 1f : -1f) : 0f;
                observations[a * 2 + 1] = _step[a] == 0 ? 1f : _step[a] == _delay + 1 ? -1f : 0f;
            }
        }

        public void Step(ReadOnlySpan<float> actions, Span<float> rewards, Span<bool> done, ref int answered, ref int right)
        {
            for (int a = 0; a < _agents; a++)
            {
                rewards[a] = 0f;
                done[a] = _step[a] == _delay + 1;
                if (done[a])
                {
                    answered++;
                    if ((int)actions[a] == _cue[a]) { rewards[a] = 1f; right++; }
                    _cue[a] = _random.NextInt(2);
                    _step[a] = 0;
                }
                else _step[a]++;
            }
        }
    }

    [Test]
    public void AGruPolicyLearnsToAnswerACueSeenStepsBefore()
    {
        const int agents = 16, delay = 3;
        using RecurrentBrain actor = Network(2, 2, 1);
        using RecurrentBrain critic = Network(2, 1, 2);
        var learner = new RecurrentPpoLearner(actor, critic, ActionSpec.Discrete(2), agents, Options(), seed: 3);
        var task = new CueTask(agents, delay, 4);
        float[] observations = new float[agents * 2], actions = new float[agents], rewards = new float[agents];
        bool[] done = new bool[agents];
        int answered = 0, right = 0;
        for (int tick = 0; tick < 2_400; tick++)
        {
            if (tick == 2_000) answered = right = 0;                           // score the last 400 ticks
            task.Observe(observations);
            learner.Act(observations, actions);
            task.Step(actions, rewards, done, ref answered, ref right);
            learner.Record(rewards, done);
        }
        double accuracy = (double)right / answered;
        Assert.That(learner.Updates, Is.EqualTo(2_399 / 16));
        Assert.That(accuracy, Is.GreaterThan(0.9), $"{right} of {answered} answers right (chance is 0.5)");
    }

    [Test]
    public void ActingAndLearningAllocateNothingOverTenThousandTicks()
    {
        const int agents = 16;
        ActionSpec spec = ActionSpec.Hybrid(1, 2);
        using RecurrentBrain actor = Network(2, spec.PolicyOutputs, 1);
        using RecurrentBrain critic = Network(2, 1, 2);
        var learner = new RecurrentPpoLearner(actor, critic, spec, agents, Options(), seed: 3);
        var random = new SeededRandom(5);
        float[] observations = new float[agents * 2], actions = new float[agents * spec.ActionSize], rewards = new float[agents];
        bool[] terminated = new bool[agents], truncated = new bool[agents], mask = new bool[agents * spec.DiscreteLogits];
        void Tick(int tick)
        {
            for (int i = 0; i < observations.Length; i++) observations[i] = random.NextFloat(-1f, 1f);
            learner.Act(observations, actions, mask);
            for (int a = 0; a < agents; a++)
            {
                rewards[a] = actions[a * spec.ActionSize] - Math.Abs(actions[a * spec.ActionSize + 1]);
                terminated[a] = (tick + a) % 23 == 0;
                truncated[a] = !terminated[a] && (tick + 3 * a) % 41 == 0;
            }
            learner.Record(rewards, terminated, truncated, observations);
        }
        for (int tick = 0; tick < 40; tick++) Tick(tick);                        // two updates: every buffer has been touched
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int tick = 40; tick < 10_040; tick++) Tick(tick);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.EqualTo(0));
        Assert.That(learner.Updates, Is.EqualTo(10_039 / 16));
        Assert.That(float.IsFinite(learner.LastPolicyLoss) && float.IsFinite(learner.LastValueLoss), Is.True);
    }

    [Test]
    public void SameSeedLearnsBitwiseIdentically()
    {
        (float[] Actor, float[] Critic, float[] LogStd) Run()
        {
            const int agents = 8;
            ActionSpec spec = ActionSpec.Hybrid(1, 3);
            using RecurrentBrain actor = Network(2, spec.PolicyOutputs, 11);
            using RecurrentBrain critic = Network(2, 1, 12);
            var learner = new RecurrentPpoLearner(actor, critic, spec, agents, Options(), seed: 13);
            var random = new SeededRandom(14);
            float[] observations = new float[agents * 2], actions = new float[agents * spec.ActionSize], rewards = new float[agents];
            bool[] done = new bool[agents];
            for (int tick = 0; tick < 100; tick++)
            {
                for (int i = 0; i < observations.Length; i++) observations[i] = random.NextFloat(-1f, 1f);
                learner.Act(observations, actions);
                for (int a = 0; a < agents; a++)
                {
                    rewards[a] = actions[a * spec.ActionSize] == 1f ? 1f : actions[a * spec.ActionSize + 1];
                    done[a] = (tick + a) % 9 == 0;
                }
                learner.Record(rewards, done);
            }
            float[] a1 = new float[actor.ParameterCount], c1 = new float[critic.ParameterCount];
            actor.CopyParametersTo(a1);
            critic.CopyParametersTo(c1);
            return (a1, c1, learner.LogStd.ToArray());
        }
        var first = Run();
        var second = Run();
        Assert.Multiple(() =>
        {
            Assert.That(second.Actor, Is.EqualTo(first.Actor));
            Assert.That(second.Critic, Is.EqualTo(first.Critic));
            Assert.That(second.LogStd, Is.EqualTo(first.LogStd));
            Assert.That(first.LogStd[0], Is.Not.EqualTo(0f), "log σ learned");
        });
    }

    [Test]
    public void AnEpisodeEndClearsThatAgentsMemoryOnly()
    {
        const int agents = 3;
        using RecurrentBrain actor = Network(2, 2, 1);
        using RecurrentBrain critic = Network(2, 1, 2);
        var learner = new RecurrentPpoLearner(actor, critic, ActionSpec.Discrete(2), agents, Options(), seed: 3);
        float[] observations = { 0.5f, -1f, 1f, 0.25f, -0.5f, 0.75f }, actions = new float[agents];
        learner.Act(observations, actions);
        learner.Record(new float[agents], new[] { false, true, false }, new[] { false, false, true }, observations);
        int h = actor.StateWidth;
        float[] state = learner.ActorState.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(state.AsSpan(0, h).ToArray(), Has.Some.Not.EqualTo(0f), "agent 0 goes on remembering");
            Assert.That(state.AsSpan(h, h).ToArray(), Has.All.EqualTo(0f), "agent 1 terminated");
            Assert.That(state.AsSpan(2 * h, h).ToArray(), Has.All.EqualTo(0f), "agent 2 truncated");
        });
    }

    [Test]
    public void InvalidSetupsAndCallsSayWhatIsWrong()
    {
        using RecurrentBrain actor = Network(2, 2, 1);
        using RecurrentBrain critic = Network(2, 1, 2);
        using RecurrentBrain wide = Network(2, 2, 3);
        using RecurrentBrain shortMemory = Network(2, 2, 4, maxSteps: 8);
        ActionSpec spec = ActionSpec.Discrete(2);
        Assert.Multiple(() =>
        {
            PpoOptions ragged = Options();
            ragged.SequenceLength = 5;
            Assert.That(() => new RecurrentPpoLearner(actor, critic, spec, 4, ragged, 1),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("options").And.Message.Contains("16").And.Message.Contains("5"));
            Assert.That(() => new RecurrentPpoLearner(actor, wide, spec, 4, Options(), 1),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("critic"));
            Assert.That(() => new RecurrentPpoLearner(shortMemory, critic, spec, 4, Options(), 1),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("actor").And.Message.Contains("12"));
            Assert.That(() => new RecurrentPpoLearner(actor, critic, ActionSpec.Discrete(3), 4, Options(), 1),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("actor"));
            var learner = new RecurrentPpoLearner(actor, critic, spec, 4, Options(), 1);
            Assert.That(() => learner.Record(new float[4], new bool[4]), Throws.InvalidOperationException);
            Assert.That(() => learner.Act(new float[7], new float[4]), Throws.ArgumentException.With.Property("ParamName").EqualTo("observations"));
        });
    }
}
