using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Backends;

namespace Cortex.Serialization;

/// <summary>Turns a brain into the payload DTOs and back, validating every field on the way in.</summary>
internal static class BrainSnapshot
{
    private static readonly string WriterName = WriterString();

    // ---- brain → DTO (ArgumentException for what the caller can fix) ----

    public static (BrainFileDto Dto, BrainFileFlags Flags) Capture(Brain brain, BrainSaveOptions options)
    {
        var source = new Source
        {
            Metadata = brain.Metadata, Steps = brain.Steps, Spec = ToDto(brain.Spec, brain.Optimizer), ParameterCount = brain.ParameterCount,
            CopyParameters = brain.CopyParametersTo, Backend = brain.Backend, Moment1 = brain.Arena.Moment1, Moment2 = brain.Arena.Moment2, Random = brain.Random,
        };
        return Capture(source, options);
    }

    /// <summary>What a brain of either kind hands to <see cref="Capture(Source, BrainSaveOptions)"/>.</summary>
    internal sealed class Source
    {
        public BrainMetadata Metadata = null!;
        public long Steps;
        public SpecDto Spec = null!;
        public int ParameterCount;
        public CopyTo CopyParameters = null!;
        public IBackend Backend = null!;
        public Tensors.DeviceBuffer? Moment1, Moment2;
        public SeededRandom? Random;
        public RecurrentDto? Recurrent;
    }

    internal delegate void CopyTo(Span<float> destination);

    /// <summary>The payload of a brain (dense or recurrent); the checks blame the public argument "brain" or "options".</summary>
    internal static (BrainFileDto Dto, BrainFileFlags Flags) Capture(Source brain, BrainSaveOptions options)
    {
        BrainMetadata metadata = brain.Metadata;
        string name = options.Name ?? metadata.Name;
        CheckText(name, FormatLimits.MaxNameChars, "the brain's name", allowEmpty: true, options.Name is null ? nameof(brain) : nameof(options));
        var user = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> e in metadata.UserDataOrEmpty) user[e.Key] = e.Value;
        if (options.UserData is not null) foreach (KeyValuePair<string, string> e in options.UserData) user[e.Key] = e.Value;
        if (user.Count > FormatLimits.MaxUserEntries) throw new ArgumentException($"{user.Count} user entries, more than the {FormatLimits.MaxUserEntries} a brain file holds.", nameof(options));
        foreach (KeyValuePair<string, string> e in user)
        {
            // Blame the argument the entry came from: the save options override the brain's own entries.
            string param = options.UserData is not null && options.UserData.ContainsKey(e.Key) ? nameof(options) : nameof(brain);
            CheckText(e.Key, FormatLimits.MaxKeyChars, "a user-data key", allowEmpty: false, param);
            CheckText(e.Value, FormatLimits.MaxValueChars, $"user-data value \"{e.Key}\"", allowEmpty: true, param);
        }

        float[] parameters = new float[brain.ParameterCount];
        brain.CopyParameters(parameters);
        CheckFinite(parameters, "parameters", nameof(brain), FormatLimits.MaxMagnitude);
        var flags = BrainFileFlags.None;
        var dto = new BrainFileDto
        {
            Metadata = new MetadataDto
            {
                Name = name,
                CreatedUnixMilliseconds = (options.Timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
                TrainingSteps = brain.Steps,
                UserKeys = user.Keys.ToArray(),
                UserValues = user.Values.ToArray(),
                Writer = WriterName,
            },
            Spec = brain.Spec,
            Parameters = parameters,
            Recurrent = brain.Recurrent,
        };
        if (brain.Recurrent is not null) flags |= BrainFileFlags.Recurrent;

        if (options.IncludeOptimizerState)
        {
            dto.OptimizerState = new OptimizerStateDto
            {
                Steps = brain.Steps,
                Moment1 = Download(brain.Backend, brain.Moment1, "the first optimizer moment", FormatLimits.MaxMagnitude),
                Moment2 = Download(brain.Backend, brain.Moment2, "the second optimizer moment", FormatLimits.MaxSecondMoment),
            };
            flags |= BrainFileFlags.OptimizerState;
        }

        if (brain.Random is SeededRandom random)
        {
            Span<ulong> state = stackalloc ulong[SeededRandom.StateLength + 2];
            random.GetState(state);
            dto.RandomState = new RandomStateDto
            {
                S0 = state[0], S1 = state[1], S2 = state[2], S3 = state[3],
                SpareGaussianBits = (uint)state[4],
                HasSpareGaussian = (byte)state[5],
            };
            flags |= BrainFileFlags.RandomState;
        }

        IReadOnlyCollection<KeyValuePair<string, float[]>> sections = metadata.SectionsOrEmpty;
        if (sections.Count > 0)
        {
            if (sections.Count > FormatLimits.MaxSections) throw new ArgumentException($"{sections.Count} sections, more than the {FormatLimits.MaxSections} a brain file holds.", nameof(brain));
            var list = new List<SectionDto>(sections.Count);
            foreach (KeyValuePair<string, float[]> s in sections.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                CheckText(s.Key, FormatLimits.MaxKeyChars, "a section name", allowEmpty: false, nameof(brain));
                if (s.Value is null) throw new ArgumentException($"Section \"{s.Key}\" has no array.", nameof(brain));
                CheckFinite(s.Value, $"section \"{s.Key}\"", nameof(brain), float.MaxValue);
                list.Add(new SectionDto { Name = s.Key, Values = (float[])s.Value.Clone() });
            }
            dto.Sections = list.ToArray();
            flags |= BrainFileFlags.Sections;
        }
        return (dto, flags);
    }

    private static SpecDto ToDto(BrainSpec spec, Optimizer o) => ToDto(spec.Inputs, spec.Layers, spec.Loss, o, spec.MaxBatch);

    /// <summary>The spec member: for a recurrent brain, its inputs, its dense head, loss, optimizer and agent limit.</summary>
    internal static SpecDto ToDto(int inputs, IReadOnlyList<LayerSpec> layers, Loss loss, Optimizer o, int maxBatch) => new()
    {
        Inputs = inputs,
        Layers = layers.Select(l => new LayerDto { Outputs = l.Outputs, Activation = (byte)l.Activation.Kind, Alpha = l.Activation.Alpha, Init = (byte)l.Init }).ToArray(),
        LossKind = (byte)loss.Kind,
        LossDelta = loss.Delta,
        Optimizer = new OptimizerDto
        {
            Kind = (byte)o.Kind, LearningRate = o.LearningRate, Momentum = o.Momentum, Nesterov = o.Nesterov ? (byte)1 : (byte)0,
            Beta1 = o.Beta1, Beta2 = o.Beta2, Epsilon = o.Epsilon, WeightDecay = o.WeightDecay, MaxGradientNorm = o.MaxGradientNorm,
        },
        MaxBatch = maxBatch,
    };

    private static float[]? Download(IBackend backend, Tensors.DeviceBuffer? buffer, string what, float limit)
    {
        if (buffer is null) return null;
        float[] host = new float[buffer.Length];
        backend.Download(host, buffer.All);
        CheckFinite(host, what, "brain", limit);
        return host;
    }

    // paramName: the public argument the text came from (the brain or the save options).
    private static void CheckText(string? text, int maxChars, string what, bool allowEmpty, string paramName)
    {
        if (text is null) throw new ArgumentException($"{what} is null.", paramName);
        if (!allowEmpty && text.Length == 0) throw new ArgumentException($"{what} is empty.", paramName);
        if (text.Length > maxChars) throw new ArgumentException($"{what} has {text.Length} chars; a brain file allows {maxChars}.", paramName);
        int lone = PayloadGuard.FirstLoneSurrogate(text.AsSpan());
        if (lone >= 0) throw new ArgumentException($"{what} holds a lone surrogate (U+{(int)text[lone]:X4}) at char {lone}, which no text encoding can carry.", paramName);
    }

    private static void CheckFinite(float[] values, string what, string paramName, float limit)
    {
        int bad = FirstNonFinite(values);
        if (bad >= 0) throw new ArgumentException($"{what}[{bad}] is {values[bad]}; a brain file holds only finite numbers.", paramName);
        bad = FirstBeyond(values, limit);
        if (bad >= 0) throw new ArgumentException($"{what}[{bad}] is {values[bad]}, beyond ±{limit:G3}: the brain has diverged, and a brain file does not hold such numbers.", paramName);
    }

    private static int FirstBeyond(ReadOnlySpan<float> values, float limit)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (Math.Abs(values[i]) > limit) return i;
        }
        return -1;
    }

    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            // Exponent all ones: NaN or ±∞.
            if ((BitConverter.SingleToInt32Bits(values[i]) & 0x7F800000) == 0x7F800000) return i;
        }
        return -1;
    }

    private static string WriterString()
    {
        Version? v = typeof(Brain).Assembly.GetName().Version;
        return v is null ? "Cortex" : $"Cortex {v.Major}.{v.Minor}.{v.Build}";
    }

    // ---- DTO → brain (BrainFormatException for everything) ----

    /// <summary>Everything a valid file says, checked; building a brain from it cannot fail on the file's account.</summary>
    internal sealed class Validated
    {
        public string Name = "";
        public DateTimeOffset Created;
        public long TrainingSteps;
        public string Writer = "";
        public Dictionary<string, string> UserData = new(StringComparer.Ordinal);
        public BrainSpec Spec = null!;
        public float[]? Parameters;
        public long? OptimizerSteps;
        public float[]? Moment1, Moment2;
        public ulong[]? RandomState;
        public List<KeyValuePair<string, float[]>> Sections = new();

        /// <summary>The recurrent layer of a recurrent brain (then <see cref="Spec"/> is its dense head, inputs = units); null for a dense brain.</summary>
        public RecurrentInfo? Recurrent;

        /// <summary>Parameters in the file: the recurrent layer's and the spec's.</summary>
        public int ParameterCount;

        /// <summary>The brain as a message names it.</summary>
        public string Describe() => Recurrent is null ? Spec.ToString() : $"{Recurrent} then {Spec}";

        /// <summary>Where a flat parameter index falls: recurrent layer, dense layer, weight row/column or bias.</summary>
        public string Locate(int index)
        {
            if (Recurrent is null) return BrainSnapshot.Locate(Spec, index);
            int core = (int)Recurrent.ParameterCount;
            return index < core ? $"recurrent layer parameter {index}" : "dense " + BrainSnapshot.Locate(Spec, index - core);
        }
    }

    /// <summary>Checks everything a file says; <paramref name="recurrent"/> is the kind of brain the caller asked for.</summary>
    public static Validated Validate(BrainFileDto dto, BrainFileFlags flags, int version, BrainLoadOptions options, bool recurrent)
    {
        var v = new Validated();
        ValidateMetadata(dto.Metadata, v);
        CheckKind(dto.Recurrent, flags, version, recurrent);
        ValidateShape(v, dto.Spec, dto.Recurrent, options.MaxBatch, options.MaxSequence);
        int count = v.ParameterCount;
        v.Parameters = CheckArray(dto.Parameters, count, "parameters", v, FormatLimits.MaxMagnitude);

        CheckFlag(flags, BrainFileFlags.OptimizerState, dto.OptimizerState is not null, "optimizerState");
        if (dto.OptimizerState is OptimizerStateDto state)
        {
            CheckSteps(state.Steps, "optimizerState.steps");
            int moments = v.Spec.Optimizer.MomentCount;
            v.OptimizerSteps = state.Steps;
            v.Moment1 = moments >= 1 ? CheckArray(state.Moment1, count, "optimizerState.moment1", v, FormatLimits.MaxMagnitude) : CheckAbsent(state.Moment1, "optimizerState.moment1", v.Spec);
            v.Moment2 = moments >= 2 ? CheckArray(state.Moment2, count, "optimizerState.moment2", v, FormatLimits.MaxSecondMoment) : CheckAbsent(state.Moment2, "optimizerState.moment2", v.Spec);
            if (v.Moment2 is not null)
            {
                for (int i = 0; i < v.Moment2.Length; i++)
                {
                    if (v.Moment2[i] < 0f) throw new BrainFormatException($"Adam's second moment is negative ({v.Moment2[i]}) at index {i}", field: $"optimizerState.moment2[{i}]");
                }
            }
        }

        CheckFlag(flags, BrainFileFlags.RandomState, dto.RandomState is not null, "randomState");
        CheckNoGenerator(v, dto.RandomState);
        if (dto.RandomState is RandomStateDto r) v.RandomState = CheckRandom(r);

        CheckFlag(flags, BrainFileFlags.Sections, dto.Sections is { Length: > 0 }, "sections");
        ValidateSections(dto.Sections, v.Sections);
        return v;
    }

    public static BrainInfo ValidateInfo(BrainFileInfoDto dto, BrainFileFlags flags, int version, long fileLength)
    {
        var v = new Validated();
        ValidateMetadata(dto.Metadata, v);
        CheckKind(dto.Recurrent, flags, version, recurrent: null);
        ValidateShape(v, dto.Spec, dto.Recurrent, null, null);
        BrainSpec spec = v.Spec;
        int count = v.ParameterCount;
        if (dto.ParameterCount != count)
        {
            throw new BrainFormatException($"parameters holds {dto.ParameterCount} floats but the spec ({v.Describe()}) needs {count}", field: "parameters");
        }
        CheckFlag(flags, BrainFileFlags.OptimizerState, dto.OptimizerState is not null, "optimizerState");
        long? steps = null;
        if (dto.OptimizerState is OptimizerStateInfoDto state)
        {
            CheckSteps(state.Steps, "optimizerState.steps");
            int moments = spec.Optimizer.MomentCount;
            CheckLength(state.Moment1Length, moments >= 1 ? count : -1, "optimizerState.moment1");
            CheckLength(state.Moment2Length, moments >= 2 ? count : -1, "optimizerState.moment2");
            steps = state.Steps;
        }
        CheckFlag(flags, BrainFileFlags.RandomState, dto.RandomState is not null, "randomState");
        CheckNoGenerator(v, dto.RandomState);
        if (dto.RandomState is RandomStateDto r) CheckRandom(r);
        CheckFlag(flags, BrainFileFlags.Sections, dto.Sections is { Length: > 0 }, "sections");
        var names = new List<string>();
        if (dto.Sections is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < dto.Sections.Length; i++)
            {
                SectionInfoDto? s = dto.Sections[i];
                string field = $"sections[{i}]";
                if (s is null) throw new BrainFormatException("a section is null", field: field);
                CheckName(s.Name, field + ".name", seen);
                if (s.Length < 0) throw new BrainFormatException("a section has no values array", field: field + ".values");
                names.Add(s.Name!);
            }
        }
        return new BrainInfo(version, fileLength, v.Name, v.Created, v.TrainingSteps, v.Writer, v.UserData, spec, steps, dto.RandomState is not null, names, v.Recurrent);
    }

    /// <summary>Builds the brain from a validated file. Backend errors pass through; the brain is disposed on failure.</summary>
    public static Brain Build(Validated v, IBackend? backend, BrainLoadOptions options)
    {
        long workspace = Workspace.Floats(v.Spec);
        if (workspace > options.MaxWorkspaceFloats)
        {
            throw new BrainFormatException(
                $"the brain's batch limit {v.Spec.MaxBatch} needs a workspace of about {workspace} floats, more than the {options.MaxWorkspaceFloats} " +
                "BrainLoadOptions.MaxWorkspaceFloats allows; load it with a smaller BrainLoadOptions.MaxBatch or raise the limit", field: "spec.maxBatch");
        }
        Brain brain = Brain.FromSpec(v.Spec, options.Seed, backend);
        try
        {
            brain.SetParameters(v.Parameters);
            if (v.OptimizerSteps is long steps)
            {
                if (v.Moment1 is not null) brain.Backend.Upload(brain.Arena.Moment1!.All, v.Moment1);
                if (v.Moment2 is not null) brain.Backend.Upload(brain.Arena.Moment2!.All, v.Moment2);
                brain.Steps = steps;
            }
            if (v.RandomState is not null) brain.Random.SetState(v.RandomState);
            brain.Name = v.Name;
            foreach (KeyValuePair<string, string> e in v.UserData) brain.UserData[e.Key] = e.Value;
            foreach (KeyValuePair<string, float[]> s in v.Sections) brain.Sections[s.Key] = s.Value;
            return brain;
        }
        catch
        {
            brain.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The header's recurrent flag against the payload, format 1 (no recurrent member) and the kind of brain the
    /// caller asked for (null: either), whose mismatch names the call that loads the file.
    /// </summary>
    private static void CheckKind(RecurrentDto? r, BrainFileFlags flags, int version, bool? recurrent)
    {
        CheckFlag(flags, BrainFileFlags.Recurrent, r is not null, "recurrent");
        if (r is not null && version < 2)
        {
            throw new BrainFormatException($"format {version} has no recurrent layer, but the payload holds one (recurrent brains need format 2)", field: "recurrent");
        }
        if (recurrent == false && r is not null)
        {
            throw new BrainFormatException("the file holds a recurrent brain (a recurrent layer before dense layers); load it with BrainFile.LoadRecurrent " +
                "or BrainFile.ReadRecurrent, which return a RecurrentBrain", field: "recurrent");
        }
        if (recurrent == true && r is null)
        {
            throw new BrainFormatException("the file holds a dense brain, not a recurrent one; load it with BrainFile.Load or BrainFile.Read, which return a Brain",
                field: "recurrent");
        }
    }

    /// <summary>The spec and, for a recurrent brain, its recurrent layer; the total parameter count.</summary>
    private static void ValidateShape(Validated v, SpecDto? spec, RecurrentDto? r, int? maxBatch, int? maxSequence)
    {
        if (r is null)
        {
            v.Spec = ToSpec(spec, maxBatch);
            v.ParameterCount = v.Spec.ParameterCount;
            return;
        }
        const string field = "recurrent";
        if (r.Kind > (byte)RecurrentKind.Gru) throw new BrainFormatException($"unknown recurrent layer kind {r.Kind} (0 Elman RNN, 1 GRU)", field: field + ".kind");
        var kind = (RecurrentKind)r.Kind;
        if (r.Hidden < 1 || r.Hidden > BrainSpec.MaxWidth) throw new BrainFormatException($"{r.Hidden} units; a recurrent layer has 1 to {BrainSpec.MaxWidth}", field: field + ".hidden");
        if (!(r.RecurrentScale > 0f) || float.IsInfinity(r.RecurrentScale))
        {
            throw new BrainFormatException($"recurrent scale {r.RecurrentScale}; it must be positive and finite", field: field + ".recurrentScale");
        }
        if (kind == RecurrentKind.Gru && r.RecurrentScale != 1f)
        {
            throw new BrainFormatException($"a GRU takes no recurrent scale but it is {r.RecurrentScale} (unused fields are 1)", field: field + ".recurrentScale");
        }
        if (r.MaxSequence < 1 || r.MaxSequence > BrainSpec.MaxBatchLimit)
        {
            throw new BrainFormatException($"longest sequence {r.MaxSequence}; it must lie in [1, {BrainSpec.MaxBatchLimit}]", field: field + ".maxSequence");
        }
        v.Spec = ToSpec(spec, maxBatch, r.Hidden);   // the dense head: its inputs are the recurrent layer's units
        int inputs = spec!.Inputs;
        if (inputs < 1 || inputs > BrainSpec.MaxWidth) throw new BrainFormatException($"{inputs} inputs; a brain has 1 to {BrainSpec.MaxWidth}", field: "spec.inputs");
        v.Recurrent = new RecurrentInfo(kind, inputs, r.Hidden, r.RecurrentScale, maxSequence ?? r.MaxSequence);
        long total = v.Recurrent.ParameterCount + v.Spec.ParameterCount;
        if (total > int.MaxValue / 2) throw new BrainFormatException($"the brain would hold {total} parameters; at most {int.MaxValue / 2} fit one arena", field: field);
        v.ParameterCount = (int)total;
    }

    private static void ValidateMetadata(MetadataDto? m, Validated v)
    {
        if (m is null) throw new BrainFormatException("the metadata is missing", field: "metadata");
        v.Name = m.Name ?? "";
        const long minMs = -62135596800000L, maxMs = 253402300799999L;   // DateTimeOffset's range
        if (m.CreatedUnixMilliseconds < minMs || m.CreatedUnixMilliseconds > maxMs)
        {
            throw new BrainFormatException($"creation time {m.CreatedUnixMilliseconds} ms is outside the calendar", field: "metadata.created");
        }
        v.Created = DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedUnixMilliseconds);
        CheckSteps(m.TrainingSteps, "metadata.trainingSteps");
        v.TrainingSteps = m.TrainingSteps;
        v.Writer = m.Writer ?? "";
        int keys = m.UserKeys?.Length ?? 0, values = m.UserValues?.Length ?? 0;
        if (keys != values) throw new BrainFormatException($"{keys} user-data keys but {values} values", field: "metadata.userValues");
        for (int i = 0; i < keys; i++)
        {
            string? key = m.UserKeys![i], value = m.UserValues![i];
            if (string.IsNullOrEmpty(key)) throw new BrainFormatException("a user-data key is null or empty", field: $"metadata.userKeys[{i}]");
            if (value is null) throw new BrainFormatException($"user-data value \"{key}\" is null", field: $"metadata.userValues[{i}]");
            if (v.UserData.ContainsKey(key!)) throw new BrainFormatException($"user-data key \"{key}\" appears twice", field: $"metadata.userKeys[{i}]");
            v.UserData.Add(key!, value);
        }
    }

    /// <summary>Rebuilds a spec; every value goes through the public constructors, whose ArgumentExceptions become BrainFormatExceptions.</summary>
    internal static BrainSpec ToSpec(SpecDto? s, int? maxBatchOverride, int? inputsOverride = null)
    {
        if (s is null) throw new BrainFormatException("the spec is missing", field: "spec");
        if (s.Layers is null || s.Layers.Length == 0) throw new BrainFormatException("the spec has no layers", field: "spec.layers");
        var layers = new LayerSpec[s.Layers.Length];
        // No per-layer strings or closures: a file of many small layers must not cost more to check than it weighs.
        for (int i = 0; i < layers.Length; i++)
        {
            LayerDto? l = s.Layers[i];
            if (l is null) throw new BrainFormatException("a layer is null", field: LayerField(i, ""));
            if (l.Outputs < 1 || l.Outputs > BrainSpec.MaxWidth) throw new BrainFormatException($"{l.Outputs} units; a layer has 1 to {BrainSpec.MaxWidth}", field: LayerField(i, ".outputs"));
            Activation activation;
            try
            {
                activation = Activation.FromKind((ActivationKind)l.Activation, l.Alpha);
            }
            catch (ArgumentException e)
            {
                throw new BrainFormatException(e.Message, field: LayerField(i, ".activation"), inner: e);
            }
            if (BitConverter.SingleToInt32Bits(activation.Alpha) != BitConverter.SingleToInt32Bits(l.Alpha))
            {
                throw new BrainFormatException($"{activation.Kind} takes no parameter but alpha is {l.Alpha}", field: LayerField(i, ".alpha"));
            }
            if (l.Init > (byte)WeightInit.HeNormal) throw new BrainFormatException($"unknown weight initialisation {l.Init}", field: LayerField(i, ".init"));
            layers[i] = new LayerSpec(l.Outputs, activation, (WeightInit)l.Init);
        }
        Loss loss = Convert(() => Loss.FromKind((LossKind)s.LossKind, s.LossDelta), "spec.loss");
        if (BitConverter.SingleToInt32Bits(loss.Delta) != BitConverter.SingleToInt32Bits(s.LossDelta))
        {
            throw new BrainFormatException($"{loss.Kind} takes no parameter but delta is {s.LossDelta}", field: "spec.lossDelta");
        }
        Optimizer optimizer = ToOptimizer(s.Optimizer);
        int maxBatch = maxBatchOverride ?? s.MaxBatch;
        return Convert(() => new BrainSpec(inputsOverride ?? s.Inputs, layers, loss, optimizer, maxBatch), "spec");
    }

    private static Optimizer ToOptimizer(OptimizerDto? o)
    {
        const string field = "spec.optimizer";
        if (o is null) throw new BrainFormatException("the optimizer is missing", field: field);
        if (o.Nesterov > 1) throw new BrainFormatException($"nesterov is {o.Nesterov}, not 0 or 1", field: field + ".nesterov");
        Optimizer result = Convert(() => Optimizer.FromFields((OptimizerKind)o.Kind, o.LearningRate, o.Momentum, o.Nesterov == 1, o.Beta1, o.Beta2,
            o.Epsilon, o.WeightDecay, o.MaxGradientNorm), field);
        // Fields the rule does not use must be stored as 0, so that a file has one meaning.
        CheckSame(result.LearningRate, o.LearningRate, "learningRate");
        CheckSame(result.Momentum, o.Momentum, "momentum");
        CheckSame(result.Beta1, o.Beta1, "beta1");
        CheckSame(result.Beta2, o.Beta2, "beta2");
        CheckSame(result.Epsilon, o.Epsilon, "epsilon");
        CheckSame(result.WeightDecay, o.WeightDecay, "weightDecay");
        CheckSame(result.MaxGradientNorm, o.MaxGradientNorm, "maxGradientNorm");
        if (result.Nesterov != (o.Nesterov == 1)) throw new BrainFormatException($"{result.Kind} does not use nesterov but it is set", field: field + ".nesterov");
        return result;

        void CheckSame(float used, float stored, string name)
        {
            if (BitConverter.SingleToInt32Bits(used) != BitConverter.SingleToInt32Bits(stored))
            {
                throw new BrainFormatException($"{name} is stored as {stored} but {result.Kind} reads it as {used} (unused fields must be 0)", field: $"{field}.{name}");
            }
        }
    }

    private static void CheckSteps(long steps, string field)
    {
        if (steps < 0) throw new BrainFormatException($"negative step count {steps}", field: field);
        if (steps > FormatLimits.MaxSteps) throw new BrainFormatException($"step count {steps} is more than the {FormatLimits.MaxSteps} a brain can have taken", field: field);
    }

    private static string LayerField(int index, string member) => $"spec.layers[{index}]{member}";

    private static T Convert<T>(Func<T> create, string field)
    {
        try
        {
            return create();
        }
        catch (ArgumentException e)
        {
            throw new BrainFormatException(e.Message, field: field, inner: e);
        }
    }

    private static float[] CheckArray(float[]? values, int expected, string field, Validated v, float limit)
    {
        if (values is null) throw new BrainFormatException($"missing; the spec ({v.Describe()}) needs {expected} floats", field: field);
        if (values.Length != expected)
        {
            throw new BrainFormatException($"holds {values.Length} floats but the spec ({v.Describe()}) needs {expected}", field: field);
        }
        int bad = FirstNonFinite(values);
        if (bad >= 0) throw new BrainFormatException($"{values[bad]} at index {bad} ({v.Locate(bad)}); a brain file holds only finite numbers", field: $"{field}[{bad}]");
        bad = FirstBeyond(values, limit);
        if (bad >= 0) throw new BrainFormatException($"{values[bad]} at index {bad} ({v.Locate(bad)}) is beyond ±{limit:G3}, the most a brain file holds", field: $"{field}[{bad}]");
        return values;
    }

    private static float[]? CheckAbsent(float[]? values, string field, BrainSpec spec)
    {
        if (values is not null) throw new BrainFormatException($"{spec.Optimizer.Kind} keeps no such moment but the file holds {values.Length} floats", field: field);
        return null;
    }

    private static void CheckLength(int length, int expected, string field)
    {
        if (length != expected)
        {
            string Describe(int n) => n < 0 ? "none" : $"{n} floats";
            throw new BrainFormatException($"holds {Describe(length)} but the spec needs {Describe(expected)}", field: field);
        }
    }

    // Where a flat parameter index falls: layer, weight row/column or bias.
    internal static string Locate(BrainSpec spec, int index)
    {
        int fanIn = spec.Inputs;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            int outputs = spec.Layers[i].Outputs, weights = outputs * fanIn;
            if (index < weights) return $"layer {i} weight [{index / fanIn}, {index % fanIn}]";
            if (index < weights + outputs) return $"layer {i} bias [{index - weights}]";
            index -= weights + outputs;
            fanIn = outputs;
        }
        return "past the last layer";
    }

    private static void CheckFlag(BrainFileFlags flags, BrainFileFlags flag, bool present, string field)
    {
        bool announced = (flags & flag) != 0;
        if (announced != present)
        {
            throw new BrainFormatException($"the header {(announced ? "announces" : "does not announce")} {field} but the payload {(present ? "holds it" : "lacks it")}", 12, field);
        }
    }

    private static void CheckNoGenerator(Validated v, RandomStateDto? random)
    {
        if (v.Recurrent is not null && random is not null) throw new BrainFormatException("a recurrent brain has no generator, but the file holds a generator state", field: "randomState");
    }

    private static ulong[] CheckRandom(RandomStateDto r)
    {
        if ((r.S0 | r.S1 | r.S2 | r.S3) == 0) throw new BrainFormatException("the generator state is all zero, which xoshiro256** cannot leave", field: "randomState");
        if (r.HasSpareGaussian > 1) throw new BrainFormatException($"hasSpareGaussian is {r.HasSpareGaussian}, not 0 or 1", field: "randomState.hasSpareGaussian");
        if (r.HasSpareGaussian == 1 && (r.SpareGaussianBits & 0x7F800000) == 0x7F800000)
        {
            throw new BrainFormatException("the cached Gaussian is not finite", field: "randomState.spareGaussianBits");
        }
        return new[] { r.S0, r.S1, r.S2, r.S3, r.SpareGaussianBits, r.HasSpareGaussian };
    }

    private static void ValidateSections(SectionDto[]? sections, List<KeyValuePair<string, float[]>> into)
    {
        if (sections is null) return;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < sections.Length; i++)
        {
            SectionDto? s = sections[i];
            string field = $"sections[{i}]";
            if (s is null) throw new BrainFormatException("a section is null", field: field);
            CheckName(s.Name, field + ".name", seen);
            if (s.Values is null) throw new BrainFormatException($"section \"{s.Name}\" has no values array", field: field + ".values");
            int bad = FirstNonFinite(s.Values);
            if (bad >= 0) throw new BrainFormatException($"section \"{s.Name}\" holds {s.Values[bad]} at index {bad}; a brain file holds only finite numbers", field: $"{field}.values[{bad}]");
            into.Add(new KeyValuePair<string, float[]>(s.Name!, s.Values));
        }
    }

    private static void CheckName(string? name, string field, HashSet<string> seen)
    {
        if (string.IsNullOrEmpty(name)) throw new BrainFormatException("a section name is null or empty", field: field);
        if (!seen.Add(name!)) throw new BrainFormatException($"section \"{name}\" appears twice", field: field);
    }
}
