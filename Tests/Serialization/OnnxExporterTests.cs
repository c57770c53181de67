using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Cortex.Serialization;
using Microsoft.ML.OnnxRuntime;
using NUnit.Framework;

namespace Cortex.Tests.Serialization;

/// <summary>Exported models run in ONNX Runtime and agree with Cortex.</summary>
[TestFixture]
public sealed class OnnxExporterTests
{
    private static IEnumerable<TestCaseData> Activations()
    {
        yield return new TestCaseData(Activation.Linear).SetArgDisplayNames("Linear");
        yield return new TestCaseData(Activation.Sigmoid).SetArgDisplayNames("Sigmoid");
        yield return new TestCaseData(Activation.Tanh).SetArgDisplayNames("Tanh");
        yield return new TestCaseData(Activation.Relu).SetArgDisplayNames("Relu");
        yield return new TestCaseData(Activation.Softplus).SetArgDisplayNames("Softplus");
        yield return new TestCaseData(Activation.LeakyReluWithSlope(0.2f)).SetArgDisplayNames("LeakyRelu(0.2)");
        yield return new TestCaseData(Activation.EluWithAlpha(0.7f)).SetArgDisplayNames("Elu(0.7)");
        yield return new TestCaseData(Activation.Softmax).SetArgDisplayNames("Softmax");
        yield return new TestCaseData(Activation.Swish).SetArgDisplayNames("Swish");
        yield return new TestCaseData(Activation.BinaryStep).SetArgDisplayNames("BinaryStep");
    }

    [Test]
    public void EveryActivationKindIsExported()
    {
        var kinds = Activations().Select(c => ((Activation)c.Arguments[0]!).Kind).ToHashSet();
        Assert.That(kinds, Is.EquivalentTo(Enum.GetValues<ActivationKind>()));
    }

    [TestCaseSource(nameof(Activations))]
    public void OnnxRuntimeAgreesWithCortex(Activation activation)
    {
        using Brain brain = Brain.Create(5).Dense(7, activation).Dense(6, Activation.Tanh).Dense(3, activation).MaxBatch(16).Build(41);
        byte[] model = OnnxExporter.Export(brain);
        using var session = new InferenceSession(model);
        foreach (int batch in new[] { 1, 9, 40 })
        {
            float[] x = Inputs(batch * 5, seed: (ulong)batch);
            float[] expected = new float[batch * 3];
            brain.Predict(x, expected, batch);
            float[] actual = Run(session, x, batch, 5);
            Assert.That(actual, Is.EqualTo(expected).Within(1e-5f), $"batch {batch}");
        }
    }

    [Test]
    public void BinaryStepMatchesAtZeroAndNaN()
    {
        using Brain brain = Brain.Create(2).Dense(3, Activation.BinaryStep).Build(1);
        // Unit 0: z = x0; unit 1: z = −x0; unit 2: z = 0 always.
        brain.SetParameters(new[] { 1f, 0f, -1f, 0f, 0f, 0f, 0f, 0f, 0f });
        float[] x = { 0f, 0f, -0f, 1f, 2f, 0f, -3f, 0f, float.NaN, 0f };
        float[] expected = new float[15];
        brain.Predict(x, expected, 5);
        using var session = new InferenceSession(OnnxExporter.Export(brain));
        float[] actual = Run(session, x, 5, 2);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected.Take(3), Is.EqualTo(new[] { 1f, 1f, 1f }), "the step is 1 from 0 on");
        Assert.That(expected.Skip(12), Is.EqualTo(new[] { 1f, 1f, 1f }), "NaN < 0 is false, so NaN steps to 1");
    }

    [Test]
    public void TheModelDeclaresADynamicBatchAndItsNames()
    {
        using Brain brain = BrainFileKit.Classifier(3);
        brain.Name = "seeker";
        var options = new OnnxExportOptions { InputName = "obs", OutputName = "actions", BatchDimension = "agents" };
        using var session = new InferenceSession(OnnxExporter.Export(brain, options));
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "obs" }));
        Assert.That(session.OutputMetadata.Keys, Is.EqualTo(new[] { "actions" }));
        Assert.That(session.InputMetadata["obs"].Dimensions, Is.EqualTo(new[] { -1, 4 }));
        Assert.That(session.InputMetadata["obs"].SymbolicDimensions[0], Is.EqualTo("agents"));
        Assert.That(session.OutputMetadata["actions"].Dimensions, Is.EqualTo(new[] { -1, 3 }));
        Assert.That(session.InputMetadata["obs"].ElementType, Is.EqualTo(typeof(float)));
        Assert.That(session.ModelMetadata.ProducerName, Is.EqualTo("Cortex"));
        Assert.That(session.ModelMetadata.GraphName, Is.EqualTo("seeker"));
        Assert.That(session.ModelMetadata.CustomMetadataMap.ContainsKey("cortex.training_steps"));
    }

    [Test]
    public void ExportsToFilesAndStreams()
    {
        using Brain brain = BrainFileKit.Regressor(5);
        byte[] bytes = OnnxExporter.Export(brain);
        using var stream = new MemoryStream();
        brain.ExportOnnx(stream);
        Assert.That(stream.ToArray(), Is.EqualTo(bytes));
        string path = Path.Combine(Path.GetTempPath(), $"cortex-{Guid.NewGuid():N}.onnx");
        try
        {
            brain.ExportOnnx(path);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes));
            using var session = new InferenceSession(path);
            Assert.That(session.OutputMetadata["output"].Dimensions, Is.EqualTo(new[] { -1, 2 }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ALoadedBrainExportsTheSameModel()
    {
        using Brain brain = BrainFileKit.Classifier(6);
        using Brain loaded = BrainFile.Read(BrainFile.ToBytes(brain));
        Assert.That(OnnxExporter.Export(loaded), Is.EqualTo(OnnxExporter.Export(brain)));
    }

    [Test]
    public void BadOptionsAreArgumentErrors()
    {
        using Brain brain = BrainFileKit.Regressor(1);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(brain, new OnnxExportOptions { InputName = "" }));
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(brain, new OnnxExportOptions { InputName = "x", OutputName = "x" }));
        Assert.Throws<ArgumentNullException>(() => OnnxExporter.Export(null!));
    }

    private static float[] Run(InferenceSession session, float[] x, int batch, int width)
    {
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(x, new long[] { batch, width });
        using var runOptions = new RunOptions();
        string inputName = session.InputMetadata.Keys.Single(), outputName = session.OutputMetadata.Keys.Single();
        using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, new[] { inputName }, new[] { input }, new[] { outputName });
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static float[] Inputs(int count, ulong seed)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[count];
        for (int i = 0; i < count; i++) x[i] = random.NextFloat(-3f, 3f);
        return x;
    }
}
