using System;
using System.IO;
using Cortex.Serialization;
using NUnit.Framework;

namespace Cortex.Tests.Serialization;

/// <summary>Files written by formats 1 and 2 must load in every later version, with the same numbers.</summary>
[TestFixture]
public sealed class BrainFileCompatibilityTests
{
    private static readonly float[] Inputs =
    {
        0f, 0f, 0f, 0f, 1f, -1f, 0.5f, 0.25f, -0.75f, 0.3f, 0.9f, -0.2f, 2f, 2f, -2f, -2f, 0.1f, 0.2f, 0.3f, 0.4f,
    };

    // Predictions of the brain when it was saved (Cortex 0.1.0). Kernels may change summation order, hence the tolerance.
    private static readonly float[] Expected =
    {
        0.41843942f, 0.23208986f, 0.3494707f, 0.70250684f, 0.11868359f, 0.1788096f, 0.011523895f, 0.020596845f,
        0.9678792f, 0.6696346f, 0.24653871f, 0.08382673f, 0.56747365f, 0.21395107f, 0.21857528f,
    };

    private static string FixturePath => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "brain-v1.cbrain");

    [Test]
    public void Version1FilePredictsTheCheckedInValues()
    {
        using Brain brain = BrainFile.Load(FixturePath);
        float[] outputs = new float[Expected.Length];
        brain.Predict(Inputs, outputs, Inputs.Length / 4);
        Assert.That(outputs, Is.EqualTo(Expected).Within(1e-6f));
    }

    [Test]
    public void Version1FileKeepsEverythingItStored()
    {
        using Brain brain = BrainFile.Load(FixturePath);
        Assert.That(brain.Spec.ToString(), Is.EqualTo("4 -> 8 LeakyRelu(0.05) -> 6 Elu(0.5) -> 3 Softmax, SoftmaxCrossEntropy, Adam(lr=0.01, b1=0.9, b2=0.999, eps=1E-08)"));
        Assert.That(brain.Optimizer, Is.EqualTo(Optimizer.Adam(0.01f).WithGradientClipping(5f).WithWeightDecay(1e-4f)));
        Assert.That(brain.MaxBatch, Is.EqualTo(16));
        Assert.That(brain.Steps, Is.EqualTo(20));
        Assert.That(brain.ParameterCount, Is.EqualTo(115));
        float[] parameters = new float[115];
        brain.CopyParametersTo(parameters);
        Assert.That(parameters[..4], Is.EqualTo(new[] { -1.4146334f, 0.12468769f, -0.6489572f, -0.37778655f }), "stored numbers load bit for bit");
        Assert.That(brain.Random.NextUInt64(), Is.EqualTo(12749891697027940367UL), "the generator resumes where it was saved");
        Assert.That(brain.Name, Is.EqualTo("fixture-v1"));
        Assert.That(brain.UserData["purpose"], Is.EqualTo("compatibility fixture"));
        Assert.That(brain.Sections["normalizer/variance"], Is.EqualTo(new[] { 1f, 2f, 0.5f, 4f }));

        BrainInfo info = BrainFile.ReadInfo(FixturePath);
        Assert.That(info.FormatVersion, Is.EqualTo(1));
        Assert.That(info.Created, Is.EqualTo(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.That(info.TrainingSteps, Is.EqualTo(20));
        Assert.That(info.Writer, Is.EqualTo("Cortex 0.1.0"));
    }

    [Test]
    public void Version1FileResumesTraining()
    {
        using Brain brain = BrainFile.Load(FixturePath);
        (float[] x, float[] y) = BrainFileKit.Data(64, 4, 3, 2026);
        float before = brain.Evaluate(x, y, 64).Loss;
        BrainFileKit.Train(brain, 50, x, y, 8);
        Assert.That(brain.Steps, Is.EqualTo(70));
        Assert.That(brain.Evaluate(x, y, 64).Loss, Is.LessThan(before));
    }

    // Three ticks of two agents' observations (3 inputs each) for the format-2 GRU fixture.
    private static readonly float[] MemoryInputs =
    {
        0f, 0f, 0f, 1f, -1f, 0.5f, 0.25f, -0.75f, 0.3f, 0.9f, -0.2f, 2f, 2f, -2f, -2f, 0.1f, 0.2f, 0.3f,
    };

    // Its outputs (3 ticks × 2 agents × 2) and final states (2 agents × 4) when it was saved, from zero states.
    private static readonly float[] MemoryExpected =
    {
        0.043591335f, 0.012374694f, -0.40601602f, 0.19314675f, -0.1375724f, 0.035366397f, -0.87033737f, 0.4111062f,
        0.6675615f, -0.45198795f, -0.63308734f, 0.35115597f,
    };

    private static readonly float[] MemoryExpectedState =
    {
        0.51292443f, -0.44860002f, 0.6599477f, 0.7834058f, 0.21763264f, -0.20187204f, 0.039276753f, -0.56233865f,
    };

    private static string RecurrentFixturePath => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "brain-v2-gru.cbrain");

    [Test]
    public void Version2RecurrentFileThinksTheCheckedInValues()
    {
        using RecurrentBrain brain = BrainFile.LoadRecurrent(RecurrentFixturePath);
        float[] state = new float[2 * brain.StateWidth], outputs = new float[MemoryExpected.Length];
        for (int t = 0; t < 3; t++) brain.Think(MemoryInputs.AsSpan(t * 6, 6), state, outputs.AsSpan(t * 4, 4), 2);
        Assert.That(outputs, Is.EqualTo(MemoryExpected).Within(1e-6f));
        Assert.That(state, Is.EqualTo(MemoryExpectedState).Within(1e-6f));
    }

    [Test]
    public void Version2RecurrentFileKeepsEverythingItStored()
    {
        using RecurrentBrain brain = BrainFile.LoadRecurrent(RecurrentFixturePath);
        Assert.That((brain.Kind, brain.Inputs, brain.StateWidth, brain.Outputs), Is.EqualTo((RecurrentKind.Gru, 3, 4, 2)));
        Assert.That((brain.MaxAgents, brain.MaxSteps, brain.ParameterCount, brain.Steps), Is.EqualTo((4, 5, 145, 6L)));
        Assert.That(brain.Loss, Is.EqualTo(Loss.HuberWithDelta(0.5f)));
        Assert.That(brain.Optimizer, Is.EqualTo(Optimizer.Adam(0.01f).WithGradientClipping(2f).WithWeightDecay(1e-4f)));
        float[] parameters = new float[brain.ParameterCount];
        brain.CopyParametersTo(parameters);
        Assert.That(parameters[..4], Is.EqualTo(new[] { 0.17307119f, -0.42908862f, 0.62336975f, 0.73167545f }), "stored numbers load bit for bit");
        Assert.That(brain.Name, Is.EqualTo("fixture-v2-gru"));
        Assert.That(brain.UserData["purpose"], Is.EqualTo("compatibility fixture (recurrent)"));
        Assert.That(brain.Sections["normalizer/mean"], Is.EqualTo(new[] { 0.5f, -1f, 2f }));

        BrainInfo info = BrainFile.ReadInfo(RecurrentFixturePath);
        Assert.That(info.FormatVersion, Is.EqualTo(2));
        Assert.That(info.Created, Is.EqualTo(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(info.Recurrent!.Kind, Is.EqualTo(RecurrentKind.Gru));

        // It keeps training from where it was saved.
        float[] x = new float[5 * 2 * 3], y = new float[5 * 2 * 2];
        for (int i = 0; i < x.Length; i++) x[i] = MemoryInputs[i % MemoryInputs.Length];
        float loss = brain.TrainSequence(x, y, default, 2, 5, Cortex.Layers.TruncatedBptt.Full);
        Assert.That(float.IsFinite(loss), Is.True);
        Assert.That(brain.Steps, Is.EqualTo(7));
    }
}
