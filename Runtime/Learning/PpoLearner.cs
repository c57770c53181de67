using System;

namespace Cortex.Learning;

/// <summary>
/// Proximal policy optimisation (Schulman et al. 2017) for many agents sharing one actor and one
/// critic — the algorithm ML-Agents trains with by default. Each <see cref="Act(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{bool}, bool)"/>
/// answers every agent with one batched call; after <see cref="PpoOptions.RolloutLength"/> steps the
/// learner computes GAE(λ) advantages and runs <see cref="PpoOptions.Epochs"/> epochs of shuffled
/// minibatches of the clipped surrogate (entropy bonus, per-minibatch advantage normalisation) and the
/// (optionally clipped) value loss, with global-norm gradient clipping and linear learning-rate and
/// clip-range schedules. Actions follow an <see cref="ActionSpec"/>: several discrete branches (one
/// categorical head each, with action masks giving masked actions probability exactly 0) and/or
/// continuous values (a Gaussian with a state-independent learned log σ). Allocates nothing per step;
/// the same seed gives bitwise-identical learning on the CPU backend.
/// </summary>
public sealed class PpoLearner
{
    private readonly PpoOptions _options;
    private readonly SeededRandom _random;
    private readonly int _agents, _inputs, _outputs, _actionSize, _maskSize, _steps, _rows, _minibatch;
    // The rollout being collected; the update reads the _train* set. In the foreground the two sets are the same
    // arrays; with deferred updates they are two sets, swapped when a rollout completes (double-buffered).
    private float[] _observations, _actions, _logProbs, _rewards, _dones, _values, _advantages, _returns;
    private byte[] _masks;
    private float[] _trainObservations, _trainActions, _trainLogProbs, _trainRewards, _trainDones, _trainValues, _trainAdvantages, _trainReturns;
    private byte[] _trainMasks;
    private readonly byte[] _mbMasks, _greedyMasks;
    private readonly float[] _mbObservations, _mbActions, _mbLogProbs, _mbAdvantages, _mbReturns, _mbValues, _dOutputs, _dValues;
    private readonly float[] _scratchOut, _bootstrap;
    private readonly double[] _scratch;
    private readonly LogStdAdam _logStd;
    private readonly int[] _order;
    private Demonstration? _demonstration;
    private float _bcCoefficient;
    private long _bcDecaySteps, _bcStartSteps;
    private float[] _bcObservations = Array.Empty<float>(), _bcActions = Array.Empty<float>(), _bcGradient = Array.Empty<float>();
    private double[] _bcLogStdGradient = Array.Empty<double>();
    private int _t;
    private bool _awaitingRecord, _deferUpdates, _updatePending;
    private int _epoch, _start, _batches, _epochBatches;
    private float _clip;
    private double _policyLossSum, _valueLossSum, _entropySum, _clippedSum, _klSum;

    /// <summary>Creates a learner for <paramref name="agents"/> agents.</summary>
    /// <param name="actor">Policy network: Inputs = observation size, Outputs = <see cref="ActionSpec.PolicyOutputs"/>, linear last layer.</param>
    /// <param name="critic">Value network: same Inputs, one linear output.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="agents">Agents acting each step, at least 1.</param>
    /// <param name="options">Hyper-parameters (defaults when null).</param>
    /// <param name="seed">Seed for action sampling and minibatch shuffling.</param>
    public PpoLearner(Brain actor, Brain critic, ActionSpec actions, int agents, PpoOptions? options, ulong seed)
    {
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        Critic = critic ?? throw new ArgumentNullException(nameof(critic));
        Spec = actions ?? throw new ArgumentNullException(nameof(actions));
        if (agents < 1) throw new ArgumentOutOfRangeException(nameof(agents), agents, "agents must be at least 1.");
        if (critic.Inputs != actor.Inputs) throw new ArgumentException($"critic takes {critic.Inputs} inputs but the actor takes {actor.Inputs}.", nameof(critic));
        if (critic.Outputs != 1) throw new ArgumentException($"The critic must have one output (the value); it has {critic.Outputs}.", nameof(critic));
        if (actor.Outputs != actions.PolicyOutputs) throw new ArgumentException($"The actor has {actor.Outputs} outputs but {actions} needs {actions.PolicyOutputs}.", nameof(actor));
        LearnerChecks.RequireLinearOutput(actor, nameof(actor), "The actor", "logits and means");
        LearnerChecks.RequireLinearOutput(critic, nameof(critic), "The critic");
        _options = options ?? new PpoOptions();
        _options.Validate();
        _minibatch = _options.MinibatchSize;
        if (actor.MaxBatch < _minibatch) throw new ArgumentException($"The actor's MaxBatch is {actor.MaxBatch} but MinibatchSize is {_minibatch}.", nameof(actor));
        if (critic.MaxBatch < _minibatch) throw new ArgumentException($"The critic's MaxBatch is {critic.MaxBatch} but MinibatchSize is {_minibatch}.", nameof(critic));
        _random = new SeededRandom(seed);
        _agents = agents;
        _inputs = actor.Inputs;
        _outputs = actor.Outputs;
        _actionSize = actions.ActionSize;
        _maskSize = actions.DiscreteLogits;
        _steps = _options.RolloutLength;
        _rows = _steps * agents;
        _observations = new float[_rows * _inputs];
        _actions = new float[_rows * _actionSize];
        _masks = new byte[_rows * _maskSize];
        _logProbs = new float[_rows];
        _rewards = new float[_rows];
        _dones = new float[_rows];
        _values = new float[_rows];
        _advantages = new float[_rows];
        _returns = new float[_rows];
        _trainObservations = _observations;
        _trainActions = _actions;
        _trainMasks = _masks;
        _trainLogProbs = _logProbs;
        _trainRewards = _rewards;
        _trainDones = _dones;
        _trainValues = _values;
        _trainAdvantages = _advantages;
        _trainReturns = _returns;
        _order = new int[_rows];
        _mbObservations = new float[_minibatch * _inputs];
        _mbActions = new float[_minibatch * _actionSize];
        _mbMasks = new byte[_minibatch * _maskSize];
        _greedyMasks = new byte[agents * _maskSize];
        _mbLogProbs = new float[_minibatch];
        _mbAdvantages = new float[_minibatch];
        _mbReturns = new float[_minibatch];
        _mbValues = new float[_minibatch];
        _dOutputs = new float[_minibatch * _outputs];
        _dValues = new float[_minibatch];
        _scratchOut = new float[agents * _outputs];
        _bootstrap = new float[agents];
        _scratch = new double[Math.Max(1, _maskSize)];
        _logStd = new LogStdAdam(actions.ContinuousSize, _options.InitialLogStd);
        CurrentLearningRate = _options.LearningRate;
        CurrentClipRange = _options.ClipRange;
    }

    /// <summary>The policy network.</summary>
    public Brain Actor { get; }

    /// <summary>The value network.</summary>
    public Brain Critic { get; }

    /// <summary>The action layout.</summary>
    public ActionSpec Spec { get; }

    /// <summary>Agents per step.</summary>
    public int Agents => _agents;

    /// <summary>Floats per action row (<see cref="ActionSpec.ActionSize"/>).</summary>
    public int ActionSize => _actionSize;

    /// <summary>Updates taken (one per rollout).</summary>
    public long Updates { get; private set; }

    /// <summary>Agent-steps recorded.</summary>
    public long Steps { get; private set; }

    /// <summary>Mean clipped-surrogate loss (with the entropy bonus) over the last update.</summary>
    public float LastPolicyLoss { get; private set; }

    /// <summary>Mean value loss over the last update.</summary>
    public float LastValueLoss { get; private set; }

    /// <summary>Mean policy entropy (nats per agent) over the last update.</summary>
    public float LastEntropy { get; private set; }

    /// <summary>Estimated KL(old ‖ new) over the last update's final epoch.</summary>
    public float LastApproxKl { get; private set; }

    /// <summary>Share of rows whose probability ratio left [1 − ε, 1 + ε] in the last update.</summary>
    public float LastClipFraction { get; private set; }

    /// <summary>The step size used by the last update (the schedule's current value).</summary>
    public float CurrentLearningRate { get; private set; }

    /// <summary>The clip range used by the last update.</summary>
    public float CurrentClipRange { get; private set; }

    /// <summary>The learned log σ of the continuous actions.</summary>
    public ReadOnlySpan<float> LogStd => _logStd.Values;

    /// <summary>Mean −log π(a|s) of the last behaviour-cloning minibatch (see <see cref="UseDemonstration"/>), or 0.</summary>
    public float LastBehaviourCloningLoss { get; private set; }

    /// <summary>
    /// Adds a behaviour-cloning term c·(−mean log π(a|s)) over a minibatch of <paramref name="demonstration"/>
    /// to every policy minibatch step (fine-tuning a cloned policy without forgetting it at once); c decays
    /// linearly from <paramref name="coefficient"/> to 0 over <paramref name="decaySteps"/> agent-steps from now
    /// (0 keeps it constant). Allocates its buffers here, once.
    /// </summary>
    /// <param name="demonstration">Recorded play with this learner's observation size and action layout.</param>
    /// <param name="coefficient">c at the start, ≥ 0.</param>
    /// <param name="decaySteps">Agent-steps until c reaches 0; 0 for a constant c.</param>
    public void UseDemonstration(Demonstration demonstration, float coefficient, long decaySteps)
    {
        if (demonstration is null) throw new ArgumentNullException(nameof(demonstration));
        if (demonstration.ObservationSize != _inputs) throw new ArgumentException($"The demonstration's observations hold {demonstration.ObservationSize} values but the actor takes {_inputs}.", nameof(demonstration));
        ActionSpec d = demonstration.Actions;
        bool same = d.BranchCount == Spec.BranchCount && d.ContinuousSize == Spec.ContinuousSize;
        for (int b = 0; same && b < d.BranchCount; b++) same = d.BranchSize(b) == Spec.BranchSize(b);
        if (!same) throw new ArgumentException($"The demonstration's actions are {d}, the learner's {Spec}.", nameof(demonstration));
        if (demonstration.Steps < 1) throw new ArgumentException("The demonstration holds no steps.", nameof(demonstration));
        if (!(coefficient >= 0f) || float.IsInfinity(coefficient)) throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "coefficient must be non-negative and finite.");
        if (decaySteps < 0) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be non-negative.");
        _demonstration = demonstration;
        _bcCoefficient = coefficient;
        _bcDecaySteps = decaySteps;
        _bcStartSteps = Steps;
        _bcObservations = new float[_minibatch * _inputs];
        _bcActions = new float[_minibatch * _actionSize];
        _bcGradient = new float[_minibatch * _outputs];
        _bcLogStdGradient = new double[_logStd.Values.Length];
    }

    /// <summary>
    /// When false (the default) a completed rollout's whole update runs inside the <see cref="Act(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{bool}, bool)"/>
    /// that completes it. When true the update is deferred: that Act only computes the advantages and hands the rollout
    /// to a second buffer (collection goes on into the first, with the policy as it is being updated); the caller
    /// then advances the update one minibatch at a time with <see cref="TrainStep"/> — e.g. within a per-tick
    /// <see cref="Realtime.TrainingBudget"/>, as an <see cref="AgentGroup"/> made with one does. Should the next rollout
    /// complete first, its Act finishes the pending update before starting the next one (counted in
    /// <see cref="CatchUpSteps"/>). Turning it on allocates the second buffer once; it can change only while no update is pending.
    /// </summary>
    public bool DeferUpdates
    {
        get => _deferUpdates;
        set
        {
            if (value == _deferUpdates) return;
            if (_updatePending) throw new InvalidOperationException("DeferUpdates cannot change while an update is pending.");
            _deferUpdates = value;
            if (value && ReferenceEquals(_trainObservations, _observations))
            {
                _trainObservations = new float[_observations.Length];
                _trainActions = new float[_actions.Length];
                _trainMasks = new byte[_masks.Length];
                _trainLogProbs = new float[_rows];
                _trainRewards = new float[_rows];
                _trainDones = new float[_rows];
                _trainValues = new float[_rows];
                _trainAdvantages = new float[_rows];
                _trainReturns = new float[_rows];
            }
        }
    }

    /// <summary>Whether a deferred update has minibatch steps left (see <see cref="DeferUpdates"/>).</summary>
    public bool UpdatePending => _updatePending;

    /// <summary>Minibatch steps of deferred updates that an Act had to run itself because the next rollout completed first.</summary>
    public long CatchUpSteps { get; private set; }

    /// <summary>Minibatch steps taken (policy and value step each), by every update.</summary>
    public long MinibatchSteps { get; private set; }

    /// <summary>
    /// Takes one minibatch step (policy and value) of the pending deferred update; returns false, doing nothing,
    /// when none is pending. Allocates nothing.
    /// </summary>
    public bool TrainStep()
    {
        if (!_updatePending) return false;
        UpdateStep();
        return true;
    }

    /// <summary>Whether an exploring Act waits for its Record.</summary>
    internal bool AwaitingRecord => _awaitingRecord;

    /// <summary>Chooses actions for every agent without action masks (see the overload with masks).</summary>
    /// <param name="observations">(Agents, Inputs).</param>
    /// <param name="actions">(Agents, ActionSize).</param>
    /// <param name="explore">Sample and store (training), or act greedily (evaluation; nothing is stored).</param>
    public void Act(ReadOnlySpan<float> observations, Span<float> actions, bool explore = true) => Act(observations, actions, default, explore);

    /// <summary>
    /// Chooses actions for every agent: sampled when <paramref name="explore"/> (the most likely allowed
    /// index of each branch and the mean otherwise). When a rollout is complete the learner first
    /// updates, bootstrapping from these observations.
    /// </summary>
    /// <param name="observations">(Agents, Inputs).</param>
    /// <param name="actions">(Agents, ActionSize): branch indices as floats, then continuous values (clipped to [−1, 1] when asked).</param>
    /// <param name="actionMask">(Agents, DiscreteLogits), true where an action is forbidden this decision; empty for none.</param>
    /// <param name="explore">Sample and store (training), or act greedily (evaluation).</param>
    public void Act(ReadOnlySpan<float> observations, Span<float> actions, ReadOnlySpan<bool> actionMask, bool explore = true)
    {
        Rollout.Need(observations.Length, _agents * _inputs, nameof(observations));
        Rollout.Need(actions.Length, _agents * _actionSize, nameof(actions));
        bool masked = !actionMask.IsEmpty && _maskSize > 0;
        if (masked) Rollout.Need(actionMask.Length, _agents * _maskSize, nameof(actionMask));
        if (explore && _awaitingRecord) throw new InvalidOperationException("Call Record with the outcome of the previous Act before acting again.");
        int offset = _t * _agents;
        if (explore && _t == _steps)
        {
            while (_updatePending)
            {
                UpdateStep();
                CatchUpSteps++;
            }
            BeginUpdate(observations);
            if (!_deferUpdates) while (_updatePending) UpdateStep();
            offset = 0;
        }
        Span<byte> maskRows = explore ? _masks.AsSpan(offset * _maskSize, _agents * _maskSize) : _greedyMasks;
        Span<float> outputs = _scratchOut.AsSpan(0, _agents * _outputs);
        Actor.Predict(observations, outputs, _agents);
        for (int a = 0; a < _agents; a++)
        {
            ReadOnlySpan<float> row = outputs.Slice(a * _outputs, _outputs);
            Span<float> action = actions.Slice(a * _actionSize, _actionSize);
            Span<byte> mask = default;
            if (masked)
            {
                mask = maskRows.Slice(a * _maskSize, _maskSize);
                for (int j = 0; j < _maskSize; j++) mask[j] = actionMask[a * _maskSize + j] ? (byte)1 : (byte)0;
                PolicyMath.CheckMaskRow(Spec, mask, a, nameof(actionMask));
            }
            else if (explore && _maskSize > 0) maskRows.Slice(a * _maskSize, _maskSize).Clear();
            if (explore) SampleRow(row, action, mask, offset + a);
            else PolicyMath.Greedy(Spec, row, mask, _options.ClipContinuousActions, action);
        }
        if (!explore) return;
        observations.Slice(0, _agents * _inputs).CopyTo(_observations.AsSpan(offset * _inputs));
        Critic.Predict(observations, _values.AsSpan(offset, _agents), _agents);
        _awaitingRecord = true;
    }

    /// <summary>Records the outcome of the last exploring Act.</summary>
    /// <param name="rewards">(Agents) rewards.</param>
    /// <param name="terminated">(Agents) true where the episode really ended (no bootstrapping).</param>
    public void Record(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated) => Record(rewards, terminated, default, default);

    /// <summary>
    /// Records the outcome of the last exploring Act, with time-limit truncations: for a truncated agent
    /// the reward is extended by γ·V(final observation) and the episode is cut there.
    /// </summary>
    /// <param name="rewards">(Agents) rewards.</param>
    /// <param name="terminated">(Agents) true where the episode really ended.</param>
    /// <param name="truncated">(Agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="finalObservations">(Agents, Inputs): the last observation of truncated agents (other rows ignored); empty when none.</param>
    public void Record(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<float> finalObservations)
    {
        if (!_awaitingRecord) throw new InvalidOperationException("Record follows an exploring Act.");
        int offset = _t * _agents;
        Rollout.Record(Critic, _options.Gamma, _agents, _inputs, rewards, terminated, truncated, finalObservations, _bootstrap,
            _rewards.AsSpan(offset, _agents), _dones.AsSpan(offset, _agents));
        _t++;
        Steps += _agents;
        _awaitingRecord = false;
    }

    private void SampleRow(ReadOnlySpan<float> row, Span<float> action, ReadOnlySpan<byte> mask, int index)
    {
        _logProbs[index] = (float)PolicyMath.Sample(Spec, row, mask, _logStd.Values, _random, _options.ClipContinuousActions, _scratch,
            _actions.AsSpan(index * _actionSize, _actionSize), action);
    }

    /// <summary>Closes the collected rollout: GAE over it, hands it to the update's buffer, sets the schedules.</summary>
    private void BeginUpdate(ReadOnlySpan<float> nextObservations)
    {
        ComputeAdvantages(nextObservations);
        if (!ReferenceEquals(_trainObservations, _observations))
        {
            (_observations, _trainObservations) = (_trainObservations, _observations);
            (_actions, _trainActions) = (_trainActions, _actions);
            (_masks, _trainMasks) = (_trainMasks, _masks);
            (_logProbs, _trainLogProbs) = (_trainLogProbs, _logProbs);
            (_rewards, _trainRewards) = (_trainRewards, _rewards);
            (_dones, _trainDones) = (_trainDones, _dones);
            (_values, _trainValues) = (_trainValues, _values);
            (_advantages, _trainAdvantages) = (_trainAdvantages, _advantages);
            (_returns, _trainReturns) = (_trainReturns, _returns);
        }
        (float rate, float clip) = _options.Schedule(Steps);
        CurrentLearningRate = rate;
        CurrentClipRange = clip;
        _clip = clip;
        Actor.Optimizer = _options.Scheduled(Actor.Optimizer, rate);
        Critic.Optimizer = _options.Scheduled(Critic.Optimizer, rate);
        for (int i = 0; i < _rows; i++) _order[i] = i;
        _policyLossSum = _valueLossSum = _entropySum = _clippedSum = _klSum = 0;
        _batches = _epochBatches = 0;
        _epoch = _start = 0;
        _t = 0;
        _updatePending = true;
    }

    /// <summary>One minibatch of the pending update (epochs of shuffled minibatches, in order); finishes the update after the last.</summary>
    private void UpdateStep()
    {
        if (_start == 0)
        {
            Shuffle();
            _klSum = 0;
            _epochBatches = 0;
        }
        int n = Math.Min(_minibatch, _rows - _start);
        Gather(_start, n);
        PpoPolicyStats stats = PolicyStep(n, _clip);
        _valueLossSum += ValueStep(n);
        _policyLossSum += stats.Loss;
        _entropySum += stats.Entropy;
        _clippedSum += stats.ClipFraction;
        _klSum += stats.ApproxKl;
        _batches++;
        _epochBatches++;
        MinibatchSteps++;
        _start += _minibatch;
        if (_start < _rows) return;
        _start = 0;
        _epoch++;
        if (_epoch < _options.Epochs) return;
        LastPolicyLoss = (float)(_policyLossSum / _batches);
        LastValueLoss = (float)(_valueLossSum / _batches);
        LastEntropy = (float)(_entropySum / _batches);
        LastClipFraction = (float)(_clippedSum / _batches);
        LastApproxKl = (float)(_klSum / _epochBatches);
        _updatePending = false;
        Updates++;
    }

    private void ComputeAdvantages(ReadOnlySpan<float> nextObservations)
    {
        Critic.Predict(nextObservations, _bootstrap, _agents);
        Rollout.Advantages(_options.Gamma, _options.Lambda, _steps, _agents, _rewards, _dones, _values, _bootstrap, _advantages, _returns);
    }

    private void Shuffle() => Rollout.Shuffle(_order, _rows, _random);

    private void Gather(int start, int n)
    {
        for (int r = 0; r < n; r++)
        {
            int i = _order[start + r];
            _trainObservations.AsSpan(i * _inputs, _inputs).CopyTo(_mbObservations.AsSpan(r * _inputs));
            _trainActions.AsSpan(i * _actionSize, _actionSize).CopyTo(_mbActions.AsSpan(r * _actionSize));
            if (_maskSize > 0) _trainMasks.AsSpan(i * _maskSize, _maskSize).CopyTo(_mbMasks.AsSpan(r * _maskSize));
            _mbLogProbs[r] = _trainLogProbs[i];
            _mbAdvantages[r] = _trainAdvantages[i];
            _mbReturns[r] = _trainReturns[i];
            _mbValues[r] = _trainValues[i];
        }
        if (_options.NormalizeAdvantages) Rollout.Standardize(_mbAdvantages.AsSpan(0, n));
    }

    private PpoPolicyStats PolicyStep(int n, float clip)
    {
        ReadOnlySpan<float> outputs = Actor.Forward(_mbObservations.AsSpan(0, n * _inputs), n);
        _logStd.ZeroGradient();
        PpoPolicyStats stats = PpoLoss.Policy(Spec, outputs, _mbActions, _maskSize > 0 ? _mbMasks.AsSpan(0, n * _maskSize) : default,
            _mbLogProbs, _mbAdvantages, _logStd.Values, clip, _options.EntropyCoefficient, n, _dOutputs, _logStd.Gradient, _scratch);
        if (double.IsNaN(stats.Loss) || double.IsInfinity(stats.Loss)) return stats;   // a non-finite objective takes no step
        Actor.Backward(_dOutputs.AsSpan(0, n * _outputs), n);
        AddBehaviourCloning(n);
        Actor.ApplyGradients();
        _logStd.Step(CurrentLearningRate, _options.MaxGradientNorm);
        return stats;
    }

    private void AddBehaviourCloning(int n)
    {
        if (_demonstration is null) return;
        double progress = _bcDecaySteps > 0 ? Math.Min(1.0, (double)(Steps - _bcStartSteps) / _bcDecaySteps) : 0.0;
        double c = _bcCoefficient * (1.0 - progress);
        if (c <= 0) return;
        ReadOnlySpan<float> observations = _demonstration.Observations, actions = _demonstration.ActionRows;
        for (int r = 0; r < n; r++)
        {
            int i = _random.NextInt(_demonstration.Steps);
            observations.Slice(i * _inputs, _inputs).CopyTo(_bcObservations.AsSpan(r * _inputs));
            actions.Slice(i * _actionSize, _actionSize).CopyTo(_bcActions.AsSpan(r * _actionSize));
        }
        ReadOnlySpan<float> outputs = Actor.Forward(_bcObservations.AsSpan(0, n * _inputs), n);
        Array.Clear(_bcLogStdGradient, 0, _bcLogStdGradient.Length);
        double loss = BehaviourCloning.Loss(Spec, outputs, _bcActions, _logStd.Values, n, _bcGradient, _bcLogStdGradient, _scratch);
        LastBehaviourCloningLoss = (float)loss;
        if (double.IsNaN(loss) || double.IsInfinity(loss)) return;
        Span<float> g = _bcGradient.AsSpan(0, n * _outputs);
        for (int j = 0; j < g.Length; j++) g[j] = (float)(g[j] * c);                       // d(c·L_BC)/d outputs
        for (int j = 0; j < _bcLogStdGradient.Length; j++) _logStd.Gradient[j] += c * _bcLogStdGradient[j];
        Actor.Backward(g, n);                                                              // accumulates onto the PPO gradient
    }

    private double ValueStep(int n)
    {
        ReadOnlySpan<float> values = Critic.Forward(_mbObservations.AsSpan(0, n * _inputs), n);
        double loss = PpoLoss.Value(values, _mbReturns, _mbValues, _options.ValueClipRange, _options.ValueCoefficient, n, _dValues);
        if (double.IsNaN(loss) || double.IsInfinity(loss)) return loss;
        Critic.Backward(_dValues.AsSpan(0, n), n);
        Critic.ApplyGradients();
        return loss;
    }
}
