using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class PpoLearnerTests
{
    private static Brain Network(int inputs, int outputs, ulong seed, int maxBatch = 256) =>
        Brain.Create(inputs).Dense(32, Activation.Tanh).Dense(outputs, Activation.Linear).Optimizer(Optimizer.Adam(3e-3f)).MaxBatch(maxBatch).Build(seed);

    [Test]
    public void TwoBranchesWithAMaskLearnAContextualBandit()
    {
        const int agents = 16;
        ActionSpec spec = ActionSpec.Discrete(3, 2);
        using Brain actor = Network(2, spec.PolicyOutputs, 1);
        using Brain critic = Network(2, 1, 2);
        var options = new PpoOptions { RolloutLength = 16, Epochs = 4, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f, EntropyCoefficient = 0.001f };
        var learner = new PpoLearner(actor, critic, spec, agents, options, seed: 3);
        var random = new SeededRandom(4);
        float[] observations = new float[agents * 2], actions = new float[agents * 2], rewards = new float[agents];
        bool[] done = new bool[agents], mask = new bool[agents * spec.DiscreteLogits];
        Array.Fill(done, true);
        int[] context = new int[agents];
        // Branch 0: the right answer is 1 + context, but action 0 (which pays most) is masked every decision.
        for (int a = 0; a < agents; a++) mask[a * spec.DiscreteLogits] = true;
        for (int step = 0; step < 300; step++)
        {
            Array.Clear(observations);
            for (int a = 0; a < agents; a++) { context[a] = random.NextInt(2); observations[a * 2 + context[a]] = 1f; }
            learner.Act(observations, actions, mask);
            for (int a = 0; a < agents; a++)
            {
                int first = (int)actions[a * 2], second = (int)actions[a * 2 + 1];
                Assert.That(first, Is.Not.EqualTo(0), "a masked action was sampled");
                rewards[a] = (first == 1 + context[a] ? 1f : 0f) + (second == context[a] ? 0.5f : 0f);
            }
            learner.Record(rewards, done);
        }
        Assert.That(learner.Updates, Is.GreaterThan(15));
        float[] probe = new float[agents * 2], greedy = new float[agents * 2];
        probe[0] = 1f;   // agent 0 sees context 0, agent 1 context 1
        probe[3] = 1f;
        learner.Act(probe, greedy, mask, explore: false);
        Assert.That(greedy[0], Is.EqualTo(1f));
        Assert.That(greedy[1], Is.EqualTo(0f));
        Assert.That(greedy[2], Is.EqualTo(2f));
        Assert.That(greedy[3], Is.EqualTo(1f));
    }

    [Test]
    public void GaussianPolicyLearnsToTrackATarget()
    {
        const int agents = 32;
        ActionSpec spec = ActionSpec.Continuous(1);
        using Brain actor = Network(1, 1, 5);
        using Brain critic = Network(1, 1, 6);
        var options = new PpoOptions { RolloutLength = 8, Epochs = 5, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f, InitialLogStd = -0.5f };
        var learner = new PpoLearner(actor, critic, spec, agents, options, seed: 7);
        var random = new SeededRandom(8);
        float[] observations = new float[agents], actions = new float[agents], rewards = new float[agents];
        bool[] done = new bool[agents];
        Array.Fill(done, true);
        for (int step = 0; step < 600; step++)
        {
            for (int a = 0; a < agents; a++) observations[a] = random.NextFloat(-1f, 1f);
            learner.Act(observations, actions);
            for (int a = 0; a < agents; a++) rewards[a] = -(actions[a] - 0.5f * observations[a]) * (actions[a] - 0.5f * observations[a]);
            learner.Record(rewards, done);
        }
        learner.Act(observations, actions, explore: false);
        double error = 0;
        for (int a = 0; a < agents; a++) error = Math.Max(error, Math.Abs(actions[a] - 0.5f * observations[a]));
        Assert.That(error, Is.LessThan(0.1), "the mean action tracks the target 0.5·x");
        Assert.That(learner.LogStd[0], Is.LessThan(-0.5f), "σ shrank as the policy improved");
    }

    [Test]
    public void TenThousandTicksWithLearningAllocateNothing()
    {
        const int agents = 4;
        ActionSpec spec = ActionSpec.Hybrid(1, 3);
        using Brain actor = Network(3, spec.PolicyOutputs, 1, maxBatch: 32);
        using Brain critic = Network(3, 1, 2, maxBatch: 32);
        var options = new PpoOptions { RolloutLength = 16, Epochs = 2, MinibatchSize = 32, AnnealSteps = 20_000, FinalLearningRate = 0f, FinalClipRange = 0.05f, ValueClipRange = 0.2f };
        var learner = new PpoLearner(actor, critic, spec, agents, options, seed: 3);
        float[] observations = new float[agents * 3], actions = new float[agents * 2], rewards = new float[agents], final = new float[agents * 3];
        bool[] terminated = new bool[agents], truncated = new bool[agents], mask = new bool[agents * 3];
        mask[1] = true;
        void Tick(int i)
        {
            for (int k = 0; k < observations.Length; k++) observations[k] = ((i + k) % 7) * 0.1f;
            learner.Act(observations, actions, mask);
            for (int a = 0; a < agents; a++) rewards[a] = actions[a * 2] == 2 ? 1f : -actions[a * 2 + 1];
            truncated[i % agents] = i % 50 == 0;
            learner.Record(rewards, terminated, truncated, final);
        }
        for (int i = 0; i < 100; i++) Tick(i);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 100; i < 10_100; i++) Tick(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(learner.Updates, Is.GreaterThan(600), "the measured ticks include the updates");
        Assert.That(allocated, Is.EqualTo(0));
    }

    [Test]
    public void SameSeedGivesBitwiseIdenticalLearning()
    {
        (float[] actor, float[] critic, float[] logStd) Run()
        {
            const int agents = 6;
            ActionSpec spec = ActionSpec.Hybrid(2, 3, 2);
            using Brain actor = Network(3, spec.PolicyOutputs, 11);
            using Brain critic = Network(3, 1, 12);
            var learner = new PpoLearner(actor, critic, spec, agents, new PpoOptions { RolloutLength = 10, Epochs = 3, MinibatchSize = 16, EntropyCoefficient = 0.01f }, seed: 13);
            var random = new SeededRandom(14);
            float[] observations = new float[agents * 3], actions = new float[agents * spec.ActionSize], rewards = new float[agents];
            bool[] done = new bool[agents], mask = new bool[agents * spec.DiscreteLogits];
            for (int step = 0; step < 200; step++)
            {
                for (int k = 0; k < observations.Length; k++) observations[k] = random.NextFloat(-1f, 1f);
                for (int k = 0; k < mask.Length; k++) mask[k] = k % 5 == step % 5;
                learner.Act(observations, actions, mask);
                for (int a = 0; a < agents; a++) { rewards[a] = actions[a * spec.ActionSize] - actions[a * spec.ActionSize + 2] * observations[a * 3]; done[a] = random.NextFloat() < 0.1f; }
                learner.Record(rewards, done);
            }
            float[] pa = new float[actor.ParameterCount], pc = new float[critic.ParameterCount];
            actor.CopyParametersTo(pa);
            critic.CopyParametersTo(pc);
            return (pa, pc, learner.LogStd.ToArray());
        }
        var first = Run();
        var second = Run();
        Assert.That(second.actor, Is.EqualTo(first.actor));
        Assert.That(second.critic, Is.EqualTo(first.critic));
        Assert.That(second.logStd, Is.EqualTo(first.logStd));
    }

    [Test]
    public void ADemonstrationTermPullsThePolicyTowardTheRecordedPlay()
    {
        // No reward signal at all: only the behaviour-cloning term can teach "action = context".
        const int agents = 8;
        ActionSpec spec = ActionSpec.Discrete(2);
        var recorder = new DemonstrationRecorder(2, spec);
        for (int t = 0; t < 200; t++)
        {
            int context = t % 2;
            recorder.Record(context == 0 ? new[] { 1f, 0f } : new[] { 0f, 1f }, new[] { (float)context }, 0f, EpisodeEnd.Terminated);
        }
        using Brain actor = Network(2, 2, 1);
        using Brain critic = Network(2, 1, 2);
        var learner = new PpoLearner(actor, critic, spec, agents, new PpoOptions { RolloutLength = 8, Epochs = 2, MinibatchSize = 64, LearningRate = 3e-3f, FinalLearningRate = 3e-3f }, seed: 3);
        learner.UseDemonstration(recorder.ToDemonstration(), coefficient: 1f, decaySteps: 0);
        float[] observations = new float[agents * 2], actions = new float[agents], rewards = new float[agents];
        bool[] done = new bool[agents];
        Array.Fill(done, true);
        for (int a = 0; a < agents; a++) observations[a * 2 + a % 2] = 1f;
        for (int step = 0; step < 480; step++) { learner.Act(observations, actions); learner.Record(rewards, done); }
        Assert.That(learner.LastBehaviourCloningLoss, Is.LessThan(0.15f), "from ln 2 ≈ 0.69 at the start");
        learner.Act(observations, actions, explore: false);
        for (int a = 0; a < agents; a++) Assert.That(actions[a], Is.EqualTo((float)(a % 2)));
        Assert.Throws<ArgumentException>(() => learner.UseDemonstration(new DemonstrationRecorder(3, spec).ToDemonstration(), 1f, 0));
    }

    [Test]
    public void ValidatesItsInputs()
    {
        ActionSpec spec = ActionSpec.Discrete(2, 3);
        using Brain actor = Network(3, 5, 1);
        using Brain critic = Network(3, 1, 2);
        using Brain wrong = Network(3, 4, 3);
        using Brain small = Network(3, 5, 4, maxBatch: 8);
        Assert.Throws<ArgumentException>(() => new PpoLearner(wrong, critic, spec, 4, null, 1), "actor outputs do not fit the spec");
        Assert.Throws<ArgumentException>(() => new PpoLearner(actor, wrong, spec, 4, null, 1), "critic needs one output");
        Assert.Throws<ArgumentException>(() => new PpoLearner(small, critic, spec, 4, null, 1), "MaxBatch below the minibatch");
        Assert.Throws<ArgumentOutOfRangeException>(() => new PpoLearner(actor, critic, spec, 4, new PpoOptions { ClipRange = 0f }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActionSpec.Discrete(1));
        var learner = new PpoLearner(actor, critic, spec, 2, null, 1);
        Assert.Throws<ArgumentException>(() => learner.Act(new float[5], new float[4]));
        bool[] allMasked = new bool[2 * 5];
        allMasked[0] = allMasked[1] = true;   // agent 0's first branch has no allowed action
        var error = Assert.Throws<ArgumentException>(() => learner.Act(new float[6], new float[4], allMasked));
        Assert.That(error!.ParamName, Is.EqualTo("actionMask"));
        Assert.Throws<InvalidOperationException>(() => learner.Record(new float[2], new bool[2]));
    }
}
